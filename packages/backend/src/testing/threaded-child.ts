/**
 * Test helper run in a child `node` process (threaded-wasm.test.ts): selects the wasm backend with
 * FRACTURE_WASM_THREADS threads, runs one matmul, prints the selection and the product as JSON and returns without
 * calling `process.exit`. `CHILD_WORKER_SOURCE` replaces the pthread worker script to force a failed start. The
 * process must then end on its own: pthread workers left running would keep it alive.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as wasmPackage from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../select-backend';
import { startThreadedWasm } from '../threaded-wasm';

async function main(): Promise<void> {
  const workerSource = process.env.CHILD_WORKER_SOURCE;
  let forcedFailure = '';
  if (workerSource != null) {
    forcedFailure = await startThreadedWasm(wasmPackage, 2, { workerSource, timeoutMs: 2000 }).then(
      () => 'started',
      (error: Error) => error.message,
    );
  }
  const selection = await selectBackend({ allowTensorflow: false });
  const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = tf.tensor2d([7, 8, 9, 10, 11, 12], [3, 2]);
  const product = tf.matMul(a, b);
  const values = Array.from(await product.data());
  tf.dispose([a, b, product]);
  process.stdout.write(JSON.stringify({ forcedFailure, threads: selection.threads, reason: selection.reason, product: values }));
}

main().catch((error: unknown) => {
  process.stderr.write(String(error instanceof Error ? error.stack : error));
  process.exitCode = 1;
});
