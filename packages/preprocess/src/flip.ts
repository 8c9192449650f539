import * as tf from '@tensorflow/tfjs-core';
import { asBatch, assertImageTensor, likeInput, requireSeed } from './image-tensor';
import type { ImageTensor, SeedOrRng } from './image-types';
import { toRng } from './rng';

/**
 * Mirrors each image of a batch as requested, copying whole pixels in plain JS: tfjs's CPU backend
 * reverses element by element through generic index arithmetic, ~20x slower on a 256² RGB image.
 */
function flipBatch<T extends ImageTensor>(x: T, flips: { horizontal: boolean; vertical: boolean }[]): T {
  return tf.tidy(() => {
    const batch = asBatch(x);
    const [n, h, w, c] = batch.shape;
    const src = batch.dataSync();
    const out = new Float32Array(src.length);
    for (let image = 0; image < n; image++) {
      const { horizontal, vertical } = flips[image];
      const base = image * h * w * c;
      for (let y = 0; y < h; y++) {
        const fromRow = base + (vertical ? h - 1 - y : y) * w * c;
        const toRow = base + y * w * c;
        if (!horizontal) {
          out.set(src.subarray(fromRow, fromRow + w * c), toRow);
          continue;
        }
        for (let xPos = 0; xPos < w; xPos++) {
          const from = fromRow + (w - 1 - xPos) * c;
          for (let ch = 0; ch < c; ch++) out[toRow + xPos * c + ch] = src[from + ch];
        }
      }
    }
    return likeInput(x, tf.tensor4d(out, [n, h, w, c]));
  });
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
  // Both draws always happen so that one probability does not shift the other's sequence.
  const flips = Array.from({ length: imageCount(x) }, () => ({
    horizontal: rng.next() < horizontal,
    vertical: rng.next() < vertical,
  }));
  return flipBatch(x, flips);
}
