import * as tf from '@tensorflow/tfjs-core';
import { assertImageTensor, channelVector } from './image-tensor';
import type { ImageTensor } from './image-types';

/** ImageNet channel means (RGB) that torchvision's pretrained weights expect. */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
/** ImageNet channel standard deviations (RGB) that torchvision's pretrained weights expect. */
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/**
 * `(x - mean) / std` per channel, as torchvision's `Normalize`. `mean` and `std` are a number or one
 * value per channel (a single value is broadcast, so gray models can use `[0.5]`).
 */
export function normalize<T extends ImageTensor>(
  x: T,
  mean: number | readonly number[] = IMAGENET_MEAN,
  std: number | readonly number[] = IMAGENET_STD,
): T {
  assertImageTensor(x, 'normalize');
  const channels = x.shape[x.rank - 1];
  const means = channelVector(mean, channels, 'normalize', 'mean');
  const stds = channelVector(std, channels, 'normalize', 'std');
  if (stds.some((s) => s === 0)) throw new Error(`normalize: std must not contain zero, got ${JSON.stringify(std)}`);
  return tf.tidy(() => tf.div(tf.sub(x, tf.tensor1d(means)), tf.tensor1d(stds)) as T);
}

/** Undoes `normalize`, e.g. to display an augmented training batch. */
export function denormalize<T extends ImageTensor>(
  x: T,
  mean: number | readonly number[] = IMAGENET_MEAN,
  std: number | readonly number[] = IMAGENET_STD,
): T {
  assertImageTensor(x, 'denormalize');
  const channels = x.shape[x.rank - 1];
  const means = channelVector(mean, channels, 'denormalize', 'mean');
  const stds = channelVector(std, channels, 'denormalize', 'std');
  return tf.tidy(() => tf.add(tf.mul(x, tf.tensor1d(stds)), tf.tensor1d(means)) as T);
}
