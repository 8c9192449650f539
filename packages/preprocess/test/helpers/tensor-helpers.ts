import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

// The CPU backend advertises tfjs-node on first use; that is noise in test output.
(tf.backend() as unknown as { firstUse: boolean }).firstUse = false;

/** Runs `fn`, disposes what it returns, and fails if any other tensor was left behind. */
export function expectNoLeak(fn: () => tf.Tensor | tf.Tensor[] | void): void {
  const before = tf.memory().numTensors;
  const out = fn();
  if (out) tf.dispose(out);
  expect(tf.memory().numTensors).toBe(before);
}

/** A small deterministic [H, W, C] float image with values spread over [0, 1]. */
export function patternImage(height: number, width: number, channels: number): tf.Tensor3D {
  const data = new Float32Array(height * width * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        data[(y * width + x) * channels + c] = ((y * 7 + x * 13 + c * 29) % 97) / 96;
      }
    }
  }
  return tf.tensor3d(data, [height, width, channels]);
}
