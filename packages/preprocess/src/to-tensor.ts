import * as tf from '@tensorflow/tfjs-core';
import type { DecodedImage, FromTensorOptions, PixelImage, ToTensorOptions } from './image-types';

function assertDecodedImage(image: DecodedImage, fn: string): void {
  if (!image || !(image.data instanceof Uint8Array || image.data instanceof Uint16Array)) {
    throw new Error(`${fn}: expected a DecodedImage with Uint8Array or Uint16Array data`);
  }
  const { width, height, channels, bitDepth } = image;
  if (![1, 2, 3, 4].includes(channels)) throw new Error(`${fn}: expected 1 to 4 channels, got ${channels}`);
  if (bitDepth !== 8 && bitDepth !== 16) throw new Error(`${fn}: expected bitDepth 8 or 16, got ${bitDepth}`);
  if (image.data.length !== width * height * channels) {
    throw new Error(
      `${fn}: data has ${image.data.length} samples, expected ${width}x${height}x${channels} = ${width * height * channels}`,
    );
  }
}

/**
 * Pixels → float32 [H, W, C] in [0, 1] (divided by 2^bitDepth − 1). Alpha is dropped rather than
 * composited: radiographs carry no meaningful transparency. Colour → gray uses ITU-R 601-2 luma
 * (PIL's `convert('L')` weights) on the unrounded values.
 */
export function toTensor(image: DecodedImage, options: ToTensorOptions = {}): tf.Tensor3D {
  assertDecodedImage(image, 'toTensor');
  const outChannels = options.channels ?? (image.channels >= 3 ? 3 : 1);
  if (outChannels !== 1 && outChannels !== 3) {
    throw new Error(`toTensor: expected options.channels to be 1 or 3, got ${String(outChannels)}`);
  }
  const pixels = decodedToPixels(image, outChannels);
  return tf.tensor3d(pixels.data, [image.height, image.width, outChannels], 'float32');
}

/** Pixel kernel of `toTensor`: float32 samples in [0, 1] with `outChannels` channels (no validation). */
export function decodedToPixels(image: DecodedImage, outChannels: 1 | 3): PixelImage {
  const { width, height, channels } = image;
  const colour = channels >= 3 ? 3 : 1;
  const scale = 1 / (image.bitDepth === 16 ? 65535 : 255);
  const pixels = width * height;
  const out = new Float32Array(pixels * outChannels);
  const src = image.data;
  if (colour === 1 && outChannels === 1 && channels === 1) {
    for (let p = 0; p < pixels; p++) out[p] = src[p] * scale;
    return { data: out, width, height, channels: 1 };
  }
  for (let p = 0; p < pixels; p++) {
    const s = p * channels;
    if (colour === 1) {
      const g = src[s] * scale;
      for (let c = 0; c < outChannels; c++) out[p * outChannels + c] = g;
    } else if (outChannels === 3) {
      out[p * 3] = src[s] * scale;
      out[p * 3 + 1] = src[s + 1] * scale;
      out[p * 3 + 2] = src[s + 2] * scale;
    } else {
      out[p] = (0.299 * src[s] + 0.587 * src[s + 1] + 0.114 * src[s + 2]) * scale;
    }
  }
  return { data: out, width, height, channels: outChannels };
}

/** float32 [H, W, C] in [0, 1] → pixels, clamped and rounded to the nearest level. Does not dispose `t`. */
export function fromTensor(t: tf.Tensor3D, options: FromTensorOptions = {}): DecodedImage {
  if (!(t instanceof tf.Tensor) || t.rank !== 3) {
    throw new Error(`fromTensor: expected a rank-3 [H, W, C] tensor, got ${t instanceof tf.Tensor ? `rank ${t.rank}` : typeof t}`);
  }
  const [height, width, channels] = t.shape;
  if (channels < 1 || channels > 4) throw new Error(`fromTensor: expected 1 to 4 channels, got ${channels}`);
  const bitDepth = options.bitDepth ?? 8;
  if (bitDepth !== 8 && bitDepth !== 16) throw new Error(`fromTensor: expected bitDepth 8 or 16, got ${String(bitDepth)}`);
  const top = bitDepth === 16 ? 65535 : 255;
  const values = t.dataSync();
  const data = bitDepth === 16 ? new Uint16Array(values.length) : new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // NaN becomes 0 rather than poisoning an output file.
    data[i] = v > 0 ? (v >= 1 ? top : Math.round(v * top)) : 0;
  }
  return { data, width, height, channels: channels as 1 | 2 | 3 | 4, bitDepth };
}
