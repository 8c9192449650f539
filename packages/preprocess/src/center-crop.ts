import * as tf from '@tensorflow/tfjs-core';
import { assertImageTensor, parseSize, roundHalfEven } from './image-tensor';
import type { ImageSize, ImageTensor, PixelImage } from './image-types';
import { mapImages } from './pixel-image';
import { resize, type ResizeOptions } from './resize';

/** A crop rectangle in pixels; `top`/`left` may be negative or the box larger than the image (zero-padded). */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

function assertBox(box: CropBox, fn: string): void {
  const { top, left, height, width } = box ?? ({} as CropBox);
  if (![top, left, height, width].every(Number.isInteger) || height < 1 || width < 1) {
    throw new Error(`${fn}: expected integer top, left and positive height, width, got ${JSON.stringify(box)}`);
  }
}

/**
 * Cuts `box` out of every image. Parts of the box outside the image are zero, as torchvision's `crop`
 * pads tensors. Rows are copied in plain JS: tfjs's CPU backend slices a strided region element by
 * element (~200 ms for 220² of a 256² RGB image, against < 1 ms here).
 */
export function crop<T extends ImageTensor>(x: T, box: CropBox): T {
  assertImageTensor(x, 'crop');
  assertBox(box, 'crop');
  return mapImages(x, (image) => cropPixels(image, box));
}

/** Pixel kernel of `crop` for one image. */
export function cropPixels(image: PixelImage, box: CropBox): PixelImage {
  const { width: w, height: h, channels: c, data: src } = image;
  const { top, left, height, width } = box;
  const out = new Float32Array(height * width * c);
  // Columns of the box that overlap the image; the rest stays zero.
  const fromX = Math.max(0, left);
  const toX = Math.min(w, left + width);
  if (toX > fromX) {
    for (let y = Math.max(0, top); y < Math.min(h, top + height); y++) {
      const from = (y * w + fromX) * c;
      const to = ((y - top) * width + (fromX - left)) * c;
      out.set(src.subarray(from, from + (toX - fromX) * c), to);
    }
  }
  return { data: out, width, height, channels: c };
}

/**
 * The central `size` region, placed as torchvision's `center_crop` does (Python `round` of half the
 * margin); a crop larger than the image is zero-padded the same way.
 */
export function centerCrop<T extends ImageTensor>(x: T, size: ImageSize): T {
  assertImageTensor(x, 'centerCrop');
  const [height, width] = parseSize(size, 'centerCrop');
  const h = x.shape[x.rank - 3];
  const w = x.shape[x.rank - 2];
  // torchvision pads first (floor of half the excess on the top/left), then crops the centre of the padded image.
  const padTop = height > h ? Math.floor((height - h) / 2) : 0;
  const padLeft = width > w ? Math.floor((width - w) / 2) : 0;
  const paddedH = Math.max(h, h + padTop + (height > h ? Math.floor((height - h + 1) / 2) : 0));
  const paddedW = Math.max(w, w + padLeft + (width > w ? Math.floor((width - w + 1) / 2) : 0));
  const top = roundHalfEven((paddedH - height) / 2) - padTop;
  const left = roundHalfEven((paddedW - width) / 2) - padLeft;
  return crop(x, { top, left, height, width });
}

/** `crop` then `resize`, as torchvision's `resized_crop`. */
export function resizedCrop<T extends ImageTensor>(x: T, box: CropBox, size: ImageSize, options: ResizeOptions = {}): T {
  assertImageTensor(x, 'resizedCrop');
  parseSize(size, 'resizedCrop');
  return tf.tidy(() => resize(crop(x, box), size, options));
}
