// Used by the benchmark when packages/backend is absent: tfjs wasm if it starts, else cpu.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

export async function chooseBackend(): Promise<string> {
  for (const name of ['wasm', 'cpu']) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return `${name} (packages/backend not found: plain tfjs, no training kernels)`;
      }
    } catch {
      /* try the next one */
    }
  }
  throw new Error('models.bench: no tfjs backend could start');
}
