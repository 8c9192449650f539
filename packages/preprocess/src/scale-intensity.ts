import * as tf from '@tensorflow/tfjs-core';
import { asBatch, assertImageTensor, likeInput } from './image-tensor';
import type { ImageTensor } from './image-types';

/** Divides by the largest representable value (255 for 8-bit data, 65535 for 16-bit) to reach [0, 1]. */
export function scaleToUnit<T extends ImageTensor>(x: T, maxValue = 255): T {
  assertImageTensor(x, 'scaleToUnit');
  if (!(maxValue > 0)) throw new Error(`scaleToUnit: expected maxValue > 0, got ${maxValue}`);
  return tf.tidy(() => tf.div(x, maxValue) as T);
}

/**
 * Stretches each image's own [min, max] to [0, 1] (a constant image becomes 0), e.g. for DICOM
 * exported without a window.
 */
export function minMaxScale<T extends ImageTensor>(x: T): T {
  assertImageTensor(x, 'minMaxScale');
  return tf.tidy(() => {
    const batch = asBatch(x);
    const min = tf.min(batch, [1, 2, 3], true);
    const range = tf.sub(tf.max(batch, [1, 2, 3], true), min);
    const safe = tf.where(tf.greater(range, 0), range, tf.onesLike(range));
    return likeInput(x, tf.div(tf.sub(batch, min), safe) as tf.Tensor4D);
  });
}
