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
import { convKernelWorkers } from '../kernels/conv-kernels';
import type { WasmBackendLike } from '../kernels/wasm-kernel-utils';

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
  // A convolution the Winograd path takes (3x3, stride 1, 16 channels): on the threaded build it starts the conv
  // kernels' own workers, which must not keep the process alive either.
  const x = tf.ones([1, 8, 8, 16]) as tf.Tensor4D;
  const w = tf.ones([3, 3, 16, 16]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, 1, 'same');
  const centre = (await y.data())[(3 * 8 + 3) * 16];
  tf.dispose([x, w, y]);
  const convWorkers = convKernelWorkers(tf.backend() as WasmBackendLike)?.threads ?? 1;
  process.stdout.write(JSON.stringify({ forcedFailure, threads: selection.threads, reason: selection.reason, product: values, centre, convWorkers }));
}

main().catch((error: unknown) => {
  process.stderr.write(String(error instanceof Error ? error.stack : error));
  process.exitCode = 1;
});
