import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './types';

/** Decoded pixels, row-major with interleaved channels (`data[(y * width + x) * channels + c]`). */
export interface DecodedImage {
  /** 8-bit or 16-bit samples; DICOM samples are after the modality and VOI LUTs (see README). */
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
  /** 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
}

export interface DecodeImageOptions {
  /** Named in error messages so that a failing file in a dataset can be found. */
  path?: string;
}

export interface ToTensorOptions {
  /**
   * Output channels. 1 converts colour to luma (ITU-R 601-2, as PIL's `convert('L')`), 3 replicates gray.
   * Default: the image's colour channels with alpha dropped.
   */
  channels?: 1 | 3;
}

export interface FromTensorOptions {
  /** Sample depth of the result; default 8. */
  bitDepth?: 8 | 16;
}

/** A float32 image in [0, 1]: one [H, W, C] image or a batch [N, H, W, C]. */
export type ImageTensor = tf.Tensor3D | tf.Tensor4D;

/**
 * One step of a preprocessing pipeline. It receives the pipeline's generator so that random steps are
 * reproducible. It must not dispose its input and may return it unchanged; `compose` and
 * `applyTransform` always hand the caller a tensor of its own.
 */
export type Transform = (x: ImageTensor, rng: Rng) => ImageTensor;

/** A seed or a generator: every random operation accepts either. */
export type SeedOrRng = number | Rng;

/** `[height, width]`, or one number for a square. */
export type ImageSize = number | readonly [number, number];
