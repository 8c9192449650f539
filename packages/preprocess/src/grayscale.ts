import * as tf from '@tensorflow/tfjs-core';
import { assertImageTensor } from './image-tensor';
import type { ImageTensor } from './image-types';

/** torchvision's `rgb_to_grayscale` weights (ITU-R 601-2 luma as PIL rounds them). */
const LUMA = [0.2989, 0.587, 0.114];

/**
 * RGB → one channel with torchvision's luma weights; a one-channel input is returned as a copy.
 * `keepChannels` keeps three identical channels for models that expect RGB.
 */
export function toGrayscale<T extends ImageTensor>(x: T, options: { keepChannels?: boolean } = {}): T {
  assertImageTensor(x, 'toGrayscale');
  const channels = x.shape[x.rank - 1];
  if (channels !== 1 && channels !== 3) throw new Error(`toGrayscale: expected 1 or 3 channels, got ${channels}`);
  return tf.tidy(() => {
    const gray = channels === 1 ? tf.clone(x) : tf.sum(tf.mul(x, tf.tensor1d(LUMA)), -1, true);
    return (options.keepChannels ? tf.tile(gray, [...new Array(x.rank - 1).fill(1), 3]) : gray) as T;
  });
}

/** One channel → three identical channels (ImageNet-pretrained backbones expect RGB); RGB is copied. */
export function toRgb<T extends ImageTensor>(x: T): T {
  assertImageTensor(x, 'toRgb');
  const channels = x.shape[x.rank - 1];
  if (channels === 3) return tf.clone(x);
  if (channels !== 1) throw new Error(`toRgb: expected 1 or 3 channels, got ${channels}`);
  return tf.tidy(() => tf.tile(x, [...new Array(x.rank - 1).fill(1), 3]) as T);
}
