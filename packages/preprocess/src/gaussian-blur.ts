import * as tf from '@tensorflow/tfjs-core';
import { asBatch, assertImageTensor, likeInput } from './image-tensor';
import type { ImageTensor } from './image-types';

export interface GaussianBlurOptions {
  /** Odd kernel size, or [x (width), y (height)] in torchvision's order. */
  kernelSize: number | readonly [number, number];
  /** Standard deviation, or [x, y]; default torchvision's `0.3 * ((k - 1) * 0.5 - 1) + 0.8` per axis. */
  sigma?: number | readonly [number, number];
}

/** torchvision's `_get_gaussian_kernel1d`: sampled at integer offsets and normalised. */
export function gaussianKernel1d(size: number, sigma: number): Float32Array {
  const half = (size - 1) / 2;
  const kernel = new Float32Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) {
    kernel[i] = Math.exp(-0.5 * ((i - half) / sigma) ** 2);
    total += kernel[i];
  }
  return kernel.map((v) => v / total);
}

function pair(value: number | readonly [number, number], name: string): [number, number] {
  const out: [number, number] = typeof value === 'number' ? [value, value] : [value?.[0], value?.[1]];
  if (!out.every((v) => Number.isFinite(v))) {
    throw new Error(`gaussianBlur: expected ${name} as a number or [x, y], got ${JSON.stringify(value)}`);
  }
  return out;
}

/**
 * Separable Gaussian blur with reflect padding (no edge repeat), matching torchvision's
 * `F.gaussian_blur` on tensors.
 */
export function gaussianBlur<T extends ImageTensor>(x: T, options: GaussianBlurOptions): T {
  assertImageTensor(x, 'gaussianBlur');
  const [kx, ky] = pair(options?.kernelSize, 'kernelSize');
  if (![kx, ky].every((k) => Number.isInteger(k) && k > 0 && k % 2 === 1)) {
    throw new Error(`gaussianBlur: expected odd positive kernel sizes, got ${JSON.stringify(options.kernelSize)}`);
  }
  const [sx, sy] = options.sigma === undefined ? [0.15 * kx + 0.35, 0.15 * ky + 0.35] : pair(options.sigma, 'sigma');
  if (sx <= 0 || sy <= 0) throw new Error(`gaussianBlur: expected sigma > 0, got ${JSON.stringify(options.sigma)}`);
  const h = x.shape[x.rank - 3];
  const w = x.shape[x.rank - 2];
  const c = x.shape[x.rank - 1];
  const px = (kx - 1) / 2;
  const py = (ky - 1) / 2;
  if (px >= w || py >= h) {
    throw new Error(`gaussianBlur: kernel ${kx}x${ky} needs an image larger than half of it, got ${w}x${h}`);
  }
  return tf.tidy(() => {
    const batch = asBatch(x);
    const padded = tf.mirrorPad(batch, [[0, 0], [py, py], [px, px], [0, 0]], 'reflect');
    const kernelX = tf.tile(tf.tensor4d(gaussianKernel1d(kx, sx), [1, kx, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const kernelY = tf.tile(tf.tensor4d(gaussianKernel1d(ky, sy), [ky, 1, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const blurred = tf.depthwiseConv2d(tf.depthwiseConv2d(padded, kernelX, 1, 'valid'), kernelY, 1, 'valid');
    return likeInput(x, blurred);
  });
}
