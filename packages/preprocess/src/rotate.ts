import * as tf from '@tensorflow/tfjs-core';
import { asBatch, assertImageTensor, channelVector, likeInput, requireSeed } from './image-tensor';
import type { ImageTensor, SeedOrRng } from './image-types';
import { toRng } from './rng';

export interface RotateOptions {
  /** Value of pixels that come from outside the image: a number or one per channel. Default 0. */
  fill?: number | readonly number[];
  /** Default 'bilinear' (torchvision defaults to nearest, which makes jagged bone edges). */
  interpolation?: 'bilinear' | 'nearest';
}

export interface RandomRotationOptions extends RotateOptions {
  /** Angle range in degrees: `d` means [-d, d]. */
  degrees: number | readonly [number, number];
  seed: SeedOrRng;
}

/** Round half to even, as grid_sample's nearest mode (nearbyint) does. */
function nearbyint(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Sampling plan for one angle: for every output pixel, up to four source pixel indices (-1 outside the
 * image) with their bilinear weights, and how much of the pixel came from inside the image.
 */
function rotationPlan(height: number, width: number, angle: number, nearest: boolean) {
  const taps = nearest ? 1 : 4;
  const pixels = height * width;
  const indices = new Int32Array(taps * pixels).fill(-1);
  const weights = new Float32Array(taps * pixels);
  const inside = new Float32Array(pixels);
  // torchvision builds the inverse map with -angle: positive angles turn the image counter-clockwise.
  const r = (-angle * Math.PI) / 180;
  const cos = Math.cos(r);
  const sin = Math.sin(r);
  const tap = (p: number, k: number, x: number, y: number, weight: number): number => {
    if (x < 0 || x >= width || y < 0 || y >= height) return 0;
    indices[p * taps + k] = y * width + x;
    weights[p * taps + k] = weight;
    return weight;
  };
  for (let i = 0; i < height; i++) {
    const yo = i + 0.5 - height / 2;
    for (let j = 0; j < width; j++) {
      const xo = j + 0.5 - width / 2;
      const p = i * width + j;
      // Back to source pixel coordinates (grid_sample with align_corners=False).
      const sx = cos * xo + sin * yo + width / 2 - 0.5;
      const sy = -sin * xo + cos * yo + height / 2 - 0.5;
      if (nearest) {
        inside[p] = tap(p, 0, nearbyint(sx), nearbyint(sy), 1);
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      inside[p] =
        tap(p, 0, x0, y0, (1 - fx) * (1 - fy)) +
        tap(p, 1, x0 + 1, y0, fx * (1 - fy)) +
        tap(p, 2, x0, y0 + 1, (1 - fx) * fy) +
        tap(p, 3, x0 + 1, y0 + 1, fx * fy);
    }
  }
  return { taps, indices, weights, inside };
}

/**
 * Samples in plain JS over the pixel data: a data-dependent gather that tfjs's CPU backend runs
 * ~50x slower (its generic gather), and the plan is computed in JS anyway.
 */
function rotateBatch(batch: tf.Tensor4D, angle: number, fill: number[], nearest: boolean): tf.Tensor4D {
  const [n, h, w, c] = batch.shape;
  const pixels = h * w;
  const { taps, indices, weights, inside } = rotationPlan(h, w, angle, nearest);
  const src = batch.dataSync();
  const out = new Float32Array(src.length);
  for (let image = 0; image < n; image++) {
    const base = image * pixels * c;
    for (let p = 0; p < pixels; p++) {
      const coverage = inside[p];
      for (let ch = 0; ch < c; ch++) {
        let sampled = 0;
        for (let k = 0; k < taps; k++) {
          const index = indices[p * taps + k];
          if (index >= 0) sampled += weights[p * taps + k] * src[base + index * c + ch];
        }
        // torchvision's fill: blend by the fraction of each output pixel that was inside the source.
        out[base + p * c + ch] = sampled * coverage + (1 - coverage) * fill[ch];
      }
    }
  }
  return tf.tensor4d(out, [n, h, w, c]);
}

/**
 * Rotates by `angle` degrees counter-clockwise about the image centre, keeping the size, with
 * torchvision's `F.rotate` sampling on tensors and its `fill` blending.
 */
export function rotate<T extends ImageTensor>(x: T, angle: number, options: RotateOptions = {}): T {
  assertImageTensor(x, 'rotate');
  if (!Number.isFinite(angle)) throw new Error(`rotate: expected a finite angle in degrees, got ${angle}`);
  const interpolation = options.interpolation ?? 'bilinear';
  if (interpolation !== 'bilinear' && interpolation !== 'nearest') {
    throw new Error(`rotate: expected interpolation 'bilinear' or 'nearest', got ${String(interpolation)}`);
  }
  const fill = channelVector(options.fill ?? 0, x.shape[x.rank - 1], 'rotate', 'fill');
  return tf.tidy(() => likeInput(x, rotateBatch(asBatch(x), angle, fill, interpolation === 'nearest')));
}

export function angleRange(degrees: number | readonly [number, number], fn: string): [number, number] {
  const range: [number, number] = typeof degrees === 'number' ? [-Math.abs(degrees), Math.abs(degrees)] : [degrees[0], degrees[1]];
  if (!range.every(Number.isFinite) || range[0] > range[1]) {
    throw new Error(`${fn}: expected degrees as a number or [min, max], got ${JSON.stringify(degrees)}`);
  }
  return range;
}

/** Rotates each image by its own angle drawn uniformly from `degrees`, as torchvision's `RandomRotation`. */
export function randomRotation<T extends ImageTensor>(x: T, options: RandomRotationOptions): T {
  assertImageTensor(x, 'randomRotation');
  requireSeed(options, 'randomRotation');
  const [low, high] = angleRange(options?.degrees, 'randomRotation');
  const rng = toRng(options.seed);
  return tf.tidy(() => {
    const batch = asBatch(x);
    const images = tf.unstack(batch).map((image) => rotate(image as tf.Tensor3D, rng.uniform(low, high), options));
    return likeInput(x, tf.stack(images) as tf.Tensor4D);
  });
}
