import { assertImageTensor, channelVector, requireSeed } from './image-tensor';
import type { ImageTensor, PixelImage, SeedOrRng } from './image-types';
import { mapImages } from './pixel-image';
import { toRng } from './rng';

export interface RotateOptions {
  /** Value of pixels that come from outside the image: a number or one per channel. Default 0. */
  fill?: number | readonly number[];
  /** Default 'bilinear' (torchvision defaults to nearest, which makes jagged bone edges). */
  interpolation?: 'bilinear' | 'nearest';
}

export interface RandomRotationOptions extends RotateOptions {
  /** Angle range in degrees: `d` means [-d, d]. */
  degrees: number | readonly [number, number];
  seed: SeedOrRng;
}

/** Round half to even, as grid_sample's nearest mode (nearbyint) does. */
function nearbyint(v: number): number {
  // Math.round sends halves up; an exact half (r − v = 0.5) that landed on an odd number goes down instead.
  const r = Math.round(v);
  return r - v === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/**
 * Pixel kernel of `rotate` for one image. Samples in plain JS, computing each output pixel's source
 * position on the fly (no per-angle plan arrays): a data-dependent gather that tfjs's CPU backend runs
 * ~50x slower through its generic gather.
 */
export function rotatePixels(image: PixelImage, angle: number, options: RotateOptions = {}): PixelImage {
  const { width: w, height: h, channels: c, data: src } = image;
  const nearest = options.interpolation === 'nearest';
  const fill = channelVector(options.fill ?? 0, c, 'rotatePixels', 'fill');
  const out = new Float32Array(src.length);
  // torchvision builds the inverse map with -angle: positive angles turn the image counter-clockwise.
  const r = (-angle * Math.PI) / 180;
  const cos = Math.cos(r);
  const sin = Math.sin(r);
  if (nearest) {
    for (let i = 0; i < h; i++) {
      const yo = i + 0.5 - h / 2;
      for (let j = 0; j < w; j++) {
        const xo = j + 0.5 - w / 2;
        const to = (i * w + j) * c;
        // Back to source pixel coordinates (grid_sample with align_corners=False).
        const x = nearbyint(cos * xo + sin * yo + w / 2 - 0.5);
        const y = nearbyint(-sin * xo + cos * yo + h / 2 - 0.5);
        if (x >= 0 && x < w && y >= 0 && y < h) {
          const from = (y * w + x) * c;
          for (let ch = 0; ch < c; ch++) out[to + ch] = src[from + ch];
        } else {
          for (let ch = 0; ch < c; ch++) out[to + ch] = fill[ch];
        }
      }
    }
    return { ...image, data: out };
  }
  for (let i = 0; i < h; i++) {
    const yo = i + 0.5 - h / 2;
    const xo = 0.5 - w / 2;
    // Source position of the row's first pixel (grid_sample with align_corners=False); it then moves by
    // (cos, -sin) per output pixel, which saves the per-pixel products (2x faster on a 224² image).
    let sx = cos * xo + sin * yo + w / 2 - 0.5;
    let sy = -sin * xo + cos * yo + h / 2 - 0.5;
    for (let j = 0; j < w; j++, sx += cos, sy -= sin) {
      const to = (i * w + j) * c;
      if (sx >= 0 && sy >= 0 && sx < w - 1 && sy < h - 1) {
        // All four taps inside (most pixels at small angles): plain bilinear; truncation is floor here.
        const x0 = sx | 0;
        const y0 = sy | 0;
        const fx = sx - x0;
        const fy = sy - y0;
        const i00 = (y0 * w + x0) * c;
        const i01 = i00 + w * c;
        if (c === 1) {
          const top = (1 - fx) * src[i00] + fx * src[i00 + 1];
          out[to] = (1 - fy) * top + fy * ((1 - fx) * src[i01] + fx * src[i01 + 1]);
          continue;
        }
        for (let ch = 0; ch < c; ch++) {
          const top = (1 - fx) * src[i00 + ch] + fx * src[i00 + c + ch];
          const bottom = (1 - fx) * src[i01 + ch] + fx * src[i01 + c + ch];
          out[to + ch] = (1 - fy) * top + fy * bottom;
        }
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const left = x0 >= 0 && x0 < w;
      const right = x0 + 1 >= 0 && x0 + 1 < w;
      const top = y0 >= 0 && y0 < h;
      const bottom = y0 + 1 >= 0 && y0 + 1 < h;
      // Taps outside the image read as zero (grid_sample's zero padding) and do not count as coverage.
      const w00 = left && top ? (1 - fx) * (1 - fy) : 0;
      const w10 = right && top ? fx * (1 - fy) : 0;
      const w01 = left && bottom ? (1 - fx) * fy : 0;
      const w11 = right && bottom ? fx * fy : 0;
      const coverage = w00 + w10 + w01 + w11;
      if (coverage === 0) {
        for (let ch = 0; ch < c; ch++) out[to + ch] = fill[ch];
        continue;
      }
      const i00 = (y0 * w + x0) * c;
      const i10 = i00 + c;
      const i01 = i00 + w * c;
      const i11 = i01 + c;
      for (let ch = 0; ch < c; ch++) {
        let sampled = 0;
        if (w00 !== 0) sampled += w00 * src[i00 + ch];
        if (w10 !== 0) sampled += w10 * src[i10 + ch];
        if (w01 !== 0) sampled += w01 * src[i01 + ch];
        if (w11 !== 0) sampled += w11 * src[i11 + ch];
        // torchvision's fill: blend by the fraction of each output pixel that was inside the source.
        out[to + ch] = sampled * coverage + (1 - coverage) * fill[ch];
      }
    }
  }
  return { ...image, data: out };
}

/**
 * Rotates by `angle` degrees counter-clockwise about the image centre, keeping the size, with
 * torchvision's `F.rotate` sampling on tensors and its `fill` blending.
 */
export function rotate<T extends ImageTensor>(x: T, angle: number, options: RotateOptions = {}): T {
  assertImageTensor(x, 'rotate');
  if (!Number.isFinite(angle)) throw new Error(`rotate: expected a finite angle in degrees, got ${angle}`);
  const interpolation = options.interpolation ?? 'bilinear';
  if (interpolation !== 'bilinear' && interpolation !== 'nearest') {
    throw new Error(`rotate: expected interpolation 'bilinear' or 'nearest', got ${String(interpolation)}`);
  }
  const fill = channelVector(options.fill ?? 0, x.shape[x.rank - 1], 'rotate', 'fill');
  return mapImages(x, (image) => rotatePixels(image, angle, { fill, interpolation }));
}

export function angleRange(degrees: number | readonly [number, number], fn: string): [number, number] {
  const range: [number, number] = typeof degrees === 'number' ? [-Math.abs(degrees), Math.abs(degrees)] : [degrees[0], degrees[1]];
  if (!range.every(Number.isFinite) || range[0] > range[1]) {
    throw new Error(`${fn}: expected degrees as a number or [min, max], got ${JSON.stringify(degrees)}`);
  }
  return range;
}

/** Rotates each image by its own angle drawn uniformly from `degrees`, as torchvision's `RandomRotation`. */
export function randomRotation<T extends ImageTensor>(x: T, options: RandomRotationOptions): T {
  assertImageTensor(x, 'randomRotation');
  requireSeed(options, 'randomRotation');
  const [low, high] = angleRange(options?.degrees, 'randomRotation');
  const interpolation = options.interpolation ?? 'bilinear';
  if (interpolation !== 'bilinear' && interpolation !== 'nearest') {
    throw new Error(`randomRotation: expected interpolation 'bilinear' or 'nearest', got ${String(interpolation)}`);
  }
  const fill = channelVector(options.fill ?? 0, x.shape[x.rank - 1], 'randomRotation', 'fill');
  const rng = toRng(options.seed);
  return mapImages(x, (image) => rotatePixels(image, rng.uniform(low, high), { fill, interpolation }));
}
