import * as tf from '@tensorflow/tfjs-core';

/**
 * Two classes a small conv net separates easily: class 0 has a bright vertical
 * bar, class 1 a bright horizontal bar, at random positions, plus noise.
 * Deterministic in `seed`. Labels alternate 0, 1, 0, ...
 */
export function barImages(count: number, size: number, seed: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const pixels = new Float32Array(count * size * size);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 2;
    labels[n] = label;
    const position = Math.floor(next() * size);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const onBar = label === 0 ? c === position : r === position;
        pixels[n * size * size + r * size + c] = (onBar ? 0.9 : 0.1) + 0.1 * (next() - 0.5);
      }
    }
  }
  return tf.tidy(() => ({
    xs: tf.tensor4d(pixels, [count, size, size, 1]),
    ys: tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 2), 'float32') as tf.Tensor2D,
  }));
}
