// jest setupFilesAfterEnv entry of the `wasm, 2 threads` project: the parity tests run unchanged on the threaded build.
import { useThreadedWasm } from './backends';

useThreadedWasm(2);
