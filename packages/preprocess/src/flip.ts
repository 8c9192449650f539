import { assertImageTensor, requireSeed } from './image-tensor';
import type { ImageTensor, PixelImage, SeedOrRng } from './image-types';
import { mapImages } from './pixel-image';
import { toRng } from './rng';
import type { Rng } from './types';

/**
 * Pixel kernel of the flips for one image, copying whole pixels: tfjs's CPU backend reverses element by
 * element through generic index arithmetic, ~20x slower on a 256² RGB image.
 */
export function flipPixels(image: PixelImage, horizontal: boolean, vertical: boolean): PixelImage {
  const { width: w, height: h, channels: c, data: src } = image;
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++) {
    const fromRow = (vertical ? h - 1 - y : y) * w * c;
    const toRow = y * w * c;
    if (!horizontal) {
      out.set(src.subarray(fromRow, fromRow + w * c), toRow);
      continue;
    }
    if (c === 1) {
      // One sample per pixel: a row copy and the engine's native reverse.
      out.set(src.subarray(fromRow, fromRow + w), toRow);
      out.subarray(toRow, toRow + w).reverse();
      continue;
    }
    for (let xPos = 0; xPos < w; xPos++) {
      const from = fromRow + (w - 1 - xPos) * c;
      for (let ch = 0; ch < c; ch++) out[toRow + xPos * c + ch] = src[from + ch];
    }
  }
  return { ...image, data: out };
}

function flipBatch<T extends ImageTensor>(x: T, flips: { horizontal: boolean; vertical: boolean }[]): T {
  return mapImages(x, (image, i) => flipPixels(image, flips[i].horizontal, flips[i].vertical));
}

function imageCount(x: ImageTensor): number {
  return x.rank === 4 ? x.shape[0] : 1;
}

/** Mirrors left ↔ right. */
export function flipHorizontal<T extends ImageTensor>(x: T): T {
  assertImageTensor(x, 'flipHorizontal');
  return flipBatch(x, new Array(imageCount(x)).fill({ horizontal: true, vertical: false }));
}

/** Mirrors top ↔ bottom. */
export function flipVertical<T extends ImageTensor>(x: T): T {
  assertImageTensor(x, 'flipVertical');
  return flipBatch(x, new Array(imageCount(x)).fill({ horizontal: false, vertical: true }));
}

export interface RandomFlipOptions {
  /** Probability of a horizontal flip; default 0.5. */
  horizontal?: number;
  /** Probability of a vertical flip; default 0. */
  vertical?: number;
  seed: SeedOrRng;
}

function assertProbability(p: number, name: string): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`randomFlip: expected ${name} to be a probability in [0, 1], got ${p}`);
}

/** Flips each image independently with the given probabilities (torchvision's RandomHorizontal/VerticalFlip). */
export function randomFlip<T extends ImageTensor>(x: T, options: RandomFlipOptions): T {
  assertImageTensor(x, 'randomFlip');
  requireSeed(options, 'randomFlip');
  const horizontal = options.horizontal ?? 0.5;
  const vertical = options.vertical ?? 0;
  assertProbability(horizontal, 'horizontal');
  assertProbability(vertical, 'vertical');
  const rng = toRng(options.seed);
  const flips = Array.from({ length: imageCount(x) }, () => drawFlip(horizontal, vertical, rng));
  return flipBatch(x, flips);
}

/** One image's flip decision. Both draws always happen so that one probability does not shift the other's sequence. */
export function drawFlip(horizontal: number, vertical: number, rng: Rng): { horizontal: boolean; vertical: boolean } {
  return { horizontal: rng.next() < horizontal, vertical: rng.next() < vertical };
}
