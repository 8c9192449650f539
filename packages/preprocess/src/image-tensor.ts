import * as tf from '@tensorflow/tfjs-core';
import type { ImageSize, ImageTensor } from './image-types';

/** Throws `fn: ...` unless x is a rank-3 or rank-4 float tensor; the public ops all start with this. */
export function assertImageTensor(x: unknown, fn: string): asserts x is ImageTensor {
  if (!(x instanceof tf.Tensor)) throw new Error(`${fn}: expected a tf.Tensor, got ${typeof x}`);
  if (x.rank !== 3 && x.rank !== 4) {
    throw new Error(`${fn}: expected a rank-3 or rank-4 tensor, got rank ${x.rank}`);
  }
  if (x.dtype !== 'float32') throw new Error(`${fn}: expected a float32 tensor, got ${x.dtype}`);
}

/** Views any image tensor as a batch, so that each op is written once for [N, H, W, C]. */
export function asBatch(x: ImageTensor): tf.Tensor4D {
  return x.rank === 4 ? (x as tf.Tensor4D) : tf.expandDims(x as tf.Tensor3D, 0);
}

/** Returns `batch` with the rank of the op's input. */
export function likeInput<T extends ImageTensor>(input: T, batch: tf.Tensor4D): T {
  return (input.rank === 4 ? batch : tf.squeeze(batch, [0])) as T;
}

export function parseSize(size: ImageSize, fn: string): [number, number] {
  const [height, width] = typeof size === 'number' ? [size, size] : size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new Error(`${fn}: expected a positive integer size or [height, width], got ${JSON.stringify(size)}`);
  }
  return [height, width];
}

/** Python's round(): ties go to the even neighbour, as torchvision's crop arithmetic relies on. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Per-channel values broadcastable over [..., C]: a number or one value per channel. */
export function channelVector(value: number | readonly number[], channels: number, fn: string, name: string): number[] {
  const values = typeof value === 'number' ? new Array<number>(channels).fill(value) : [...value];
  if (values.length === 1 && channels > 1) return new Array<number>(channels).fill(values[0]);
  if (values.length !== channels || values.some((v) => !Number.isFinite(v))) {
    throw new Error(`${fn}: expected ${name} to be a number or ${channels} finite numbers, got ${JSON.stringify(value)}`);
  }
  return values;
}

/** Random ops insist on an explicit seed so that an augmentation never silently repeats a default one. */
export function requireSeed(options: { seed?: unknown } | undefined, fn: string): void {
  const seed = options?.seed;
  const isRng = typeof seed === 'object' && seed !== null && typeof (seed as { next?: unknown }).next === 'function';
  if (!(typeof seed === 'number' && Number.isFinite(seed)) && !isRng) {
    throw new Error(`${fn}: expected options.seed to be a finite number or an Rng, got ${String(seed)}`);
  }
}
