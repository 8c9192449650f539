import * as tf from '@tensorflow/tfjs-core';
import { assertImageTensor } from './image-tensor';
import type { ImageTensor, PixelTransform, SeedOrRng, Transform } from './image-types';
import type { Rng } from './types';
import { toRng } from './rng';

/**
 * Chains transforms into one. Every step receives the same generator, so one seed fixes the whole
 * pipeline; intermediate tensors are disposed, the input is left to the caller.
 */
export function compose(transforms: readonly Transform[]): Transform {
  if (!Array.isArray(transforms) || transforms.some((t) => typeof t !== 'function')) {
    throw new Error('compose: expected an array of transform functions (x, rng) => tensor');
  }
  const steps = [...transforms];
  const pipeline = (x: ImageTensor, rng: Rng): ImageTensor => {
    assertImageTensor(x, 'compose');
    // tidy keeps x (created outside it); a pipeline that hands x back returns a copy the caller owns.
    const out = tf.tidy(() => steps.reduce<ImageTensor>((acc, step) => step(acc, rng), x));
    return out === x ? tf.clone(x) : out;
  };
  const kernels = steps.map((step) => step.pixels);
  if (!kernels.every((kernel): kernel is PixelTransform => kernel !== undefined)) return pipeline;
  // Every step can run on plain pixels, so the whole chain can too (no tensor per step).
  const pixels: PixelTransform = (image, rng) => kernels.reduce((acc, kernel) => kernel(acc, rng), image);
  return Object.assign(pipeline, { pixels, preservesGray: steps.every((step) => step.preservesGray === true) });
}

/** Runs a transform with a seed or generator, e.g. `applyTransform(pipeline, image, 42)`. */
export function applyTransform<T extends ImageTensor>(transform: Transform, x: T, seed: SeedOrRng): T {
  if (typeof transform !== 'function') throw new Error('applyTransform: expected a transform function');
  const out = transform(x, toRng(seed));
  // A step may hand back its input (e.g. randomApply not firing); the caller must own what it gets.
  return (out === x ? tf.clone(x) : out) as T;
}
