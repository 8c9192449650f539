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
  /**
   * Largest accepted `width * height`, checked against the header before decoding (decompression bombs).
   * Default: `FRACTURE_MAX_PIXELS` when set (0 = no limit), else 178,956,970 (Pillow's error threshold).
   */
  maxPixels?: number;
}

export interface DecodeImageAsyncOptions extends DecodeImageOptions {
  /**
   * The size the image will be resized to next (`[height, width]` or a square side). A large JPEG may
   * then be decoded at 1/2, 1/4 or 1/8 scale, never below twice this size: see the README for how far
   * the result is from a full decode + resize.
   */
  reduceTo?: ImageSize;
}

/** The JPEG decoders `decodeImageAsync` uses here; see `jpegDecoder`. */
export type JpegDecoderSetup = 'sharp+wasm' | 'sharp' | 'wasm' | 'jpeg-js';

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
export type Transform = ((x: ImageTensor, rng: Rng) => ImageTensor) & {
  /**
   * The same step on one image's pixels, drawing the same random numbers in the same order. Set by the
   * built-in `transforms` and by `compose` when every step has one; `createBatchLoader` then augments
   * plain typed arrays instead of running tensor ops per image.
   */
  readonly pixels?: PixelTransform;
  /**
   * True when `pixels` treats every channel alike: on a gray image replicated to RGB it gives the same as
   * running it on the one gray channel and replicating the result (colour jitter's saturation is then the
   * identity; its contrast mean differs by at most 1e-4 of full scale, torchvision's luma weights summing
   * to 0.9999). `createBatchLoader` then augments gray radiographs at one channel, a third of the work.
   */
  readonly preservesGray?: boolean;
};

/**
 * One image as a plain buffer: float32 samples in [0, 1], row-major with interleaved channels
 * (`data[(y * width + x) * channels + c]`), the layout of an `[H, W, C]` tensor.
 */
export interface PixelImage {
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
}

/** A `Transform` on one image's pixels. It must not modify its input; it may return it unchanged. */
export type PixelTransform = (image: PixelImage, rng: Rng) => PixelImage;

/** A seed or a generator: every random operation accepts either. */
export type SeedOrRng = number | Rng;

/** `[height, width]`, or one number for a square. */
export type ImageSize = number | readonly [number, number];
