// Used by the benchmark when packages/backend exists: its choice of backend and its wasm training kernels.
import '@tensorflow/tfjs-backend-cpu';
import { selectBackend } from '../../backend/src/index';

export async function chooseBackend(): Promise<string> {
  const s = await selectBackend();
  return `${s.name} via @fracture/backend (${s.reason}; threads ${s.threads}, simd ${s.simd}, training kernels ${s.trainingKernels})`;
}
