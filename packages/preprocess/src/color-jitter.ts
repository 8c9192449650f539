import * as tf from '@tensorflow/tfjs-core';
import { asBatch, assertImageTensor, likeInput, requireSeed } from './image-tensor';
import type { ImageTensor, SeedOrRng } from './image-types';
import { toGrayscale } from './grayscale';
import { toRng } from './rng';

function assertFactor(factor: number, fn: string): void {
  if (!(Number.isFinite(factor) && factor >= 0)) throw new Error(`${fn}: expected a non-negative factor, got ${factor}`);
}

/** torchvision's `_blend`: `factor * a + (1 - factor) * b`, clamped to [0, 1]. */
function blend(a: tf.Tensor, b: tf.Tensor | number, factor: number): tf.Tensor {
  return tf.clipByValue(tf.add(tf.mul(a, factor), tf.mul(b, 1 - factor)), 0, 1);
}

/** Multiplies intensities by `factor` (torchvision `adjust_brightness`). */
export function adjustBrightness<T extends ImageTensor>(x: T, factor: number): T {
  assertImageTensor(x, 'adjustBrightness');
  assertFactor(factor, 'adjustBrightness');
  return tf.tidy(() => blend(x, 0, factor) as T);
}

/** Blends each image with its mean gray level (torchvision `adjust_contrast`; the mean is per image). */
export function adjustContrast<T extends ImageTensor>(x: T, factor: number): T {
  assertImageTensor(x, 'adjustContrast');
  assertFactor(factor, 'adjustContrast');
  return tf.tidy(() => {
    const batch = asBatch(x);
    const gray = batch.shape[3] === 3 ? toGrayscale(batch) : batch;
    const mean = tf.mean(gray, [1, 2, 3], true);
    return likeInput(x, blend(batch, mean, factor) as tf.Tensor4D);
  });
}

/** Blends RGB with its grayscale (torchvision `adjust_saturation`); one-channel images are unchanged. */
export function adjustSaturation<T extends ImageTensor>(x: T, factor: number): T {
  assertImageTensor(x, 'adjustSaturation');
  assertFactor(factor, 'adjustSaturation');
  if (x.shape[x.rank - 1] !== 3) return tf.clone(x);
  return tf.tidy(() => blend(x, toGrayscale(x), factor) as T);
}

/** A jitter strength `s` (factor drawn from [max(0, 1 - s), 1 + s]) or an explicit [min, max]. */
export type JitterRange = number | readonly [number, number];

export interface ColorJitterOptions {
  brightness?: JitterRange;
  contrast?: JitterRange;
  saturation?: JitterRange;
  seed: SeedOrRng;
}

function factorRange(value: JitterRange | undefined, name: string): [number, number] | null {
  if (value === undefined) return null;
  const range: [number, number] = typeof value === 'number' ? [Math.max(0, 1 - value), 1 + value] : [value[0], value[1]];
  if (typeof value === 'number' && !(value >= 0)) {
    throw new Error(`colorJitter: expected ${name} to be non-negative, got ${value}`);
  }
  if (!range.every(Number.isFinite) || range[0] < 0 || range[0] > range[1]) {
    throw new Error(`colorJitter: expected ${name} as [min, max] with 0 <= min <= max, got ${JSON.stringify(value)}`);
  }
  // torchvision skips a component whose range is exactly [1, 1].
  return range[0] === 1 && range[1] === 1 ? null : range;
}

/**
 * torchvision's `ColorJitter` without hue: per image, the three adjustments are applied in a random
 * order with factors drawn uniformly from their ranges. Hue is omitted because radiographs are gray.
 */
export function colorJitter<T extends ImageTensor>(x: T, options: ColorJitterOptions): T {
  assertImageTensor(x, 'colorJitter');
  requireSeed(options, 'colorJitter');
  const ranges = [
    factorRange(options?.brightness, 'brightness'),
    factorRange(options.contrast, 'contrast'),
    factorRange(options.saturation, 'saturation'),
  ];
  const adjust = [adjustBrightness, adjustContrast, adjustSaturation];
  const rng = toRng(options.seed);
  return tf.tidy(() => {
    const images = tf.unstack(asBatch(x)).map((image) => {
      const order = [0, 1, 2];
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(0, i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      // Factors are drawn in a fixed order so that the permutation does not change them.
      const factors = ranges.map((range) => (range ? rng.uniform(range[0], range[1]) : null));
      let out = image as tf.Tensor3D;
      for (const k of order) {
        const factor = factors[k];
        if (factor !== null) out = adjust[k](out, factor);
      }
      return out;
    });
    return likeInput(x, tf.stack(images) as tf.Tensor4D);
  });
}
