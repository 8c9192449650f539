import { chooseBackend } from './backend-fracture';
import { runModelsBench } from './models-bench';

await runModelsBench(chooseBackend);
process.exit(0); // wasm worker threads would keep the process alive
