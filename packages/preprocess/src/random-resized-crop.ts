import { cropPixels, type CropBox } from './center-crop';
import { assertImageTensor, parseSize, requireSeed, roundHalfEven } from './image-tensor';
import type { ImageSize, ImageTensor, PixelImage, SeedOrRng } from './image-types';
import { mapImages } from './pixel-image';
import { resizePixels } from './resize';
import { toRng } from './rng';
import type { Rng } from './types';

export interface RandomResizedCropOptions {
  /** Output [height, width] or square side. */
  size: ImageSize;
  /** Range of the crop's area as a fraction of the image's; torchvision's default [0.08, 1]. */
  scale?: readonly [number, number];
  /** Range of the crop's width / height; torchvision's default [3/4, 4/3], sampled log-uniformly. */
  ratio?: readonly [number, number];
  /** Antialiased resize of the crop (default true, see `resize`). */
  antialias?: boolean;
  seed: SeedOrRng;
}

/**
 * torchvision's `RandomResizedCrop.get_params`: ten attempts at a box with random area and
 * log-uniform aspect ratio that fits, else the central crop clamped to the ratio range.
 */
export function sampleResizedCropBox(
  height: number,
  width: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  rng: Rng,
): CropBox {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logRatio[0], logRatio[1]));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { top: rng.int(0, height - h + 1), left: rng.int(0, width - w + 1), height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < Math.min(ratio[0], ratio[1])) h = roundHalfEven(w / Math.min(ratio[0], ratio[1]));
  else if (inRatio > Math.max(ratio[0], ratio[1])) w = roundHalfEven(h * Math.max(ratio[0], ratio[1]));
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

function assertRange(range: readonly [number, number], fn: string, name: string, positive: boolean): void {
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every(Number.isFinite) ||
    range[0] > range[1] ||
    (positive && range[0] <= 0)
  ) {
    throw new Error(`${fn}: expected ${name} as [min, max] with min <= max${positive ? ' and min > 0' : ''}, got ${JSON.stringify(range)}`);
  }
}

/**
 * Crops a random area/aspect box and resizes it to `size`, with torchvision's sampling. Every image of
 * a batch gets its own box.
 */
export function randomResizedCrop<T extends ImageTensor>(x: T, options: RandomResizedCropOptions): T {
  assertImageTensor(x, 'randomResizedCrop');
  requireSeed(options, 'randomResizedCrop');
  const size = parseSize(options?.size, 'randomResizedCrop');
  const { scale, ratio } = resizedCropRanges(options, 'randomResizedCrop');
  const rng = toRng(options.seed);
  return mapImages(x, (image) =>
    resizedCropPixels(image, sampleResizedCropBox(image.height, image.width, scale, ratio, rng), size, options.antialias),
  );
}

/** `crop` then `resize` on one image's pixels (the kernel of `resizedCrop` and `randomResizedCrop`). */
export function resizedCropPixels(image: PixelImage, box: CropBox, size: ImageSize, antialias = true): PixelImage {
  return resizePixels(cropPixels(image, box), size, { antialias });
}

/** Validated `scale` and `ratio` ranges with torchvision's defaults. */
export function resizedCropRanges(
  options: { scale?: readonly [number, number]; ratio?: readonly [number, number] },
  fn: string,
): { scale: readonly [number, number]; ratio: readonly [number, number] } {
  const scale = options.scale ?? [0.08, 1];
  const ratio = options.ratio ?? [3 / 4, 4 / 3];
  assertRange(scale, fn, 'scale', false);
  assertRange(ratio, fn, 'ratio', true);
  return { scale, ratio };
}
