import { assertImageTensor, requireSeed } from './image-tensor';
import type { ImageTensor, PixelImage, SeedOrRng } from './image-types';
import { mapImages } from './pixel-image';
import { toRng } from './rng';
import type { Rng } from './types';

function assertFactor(factor: number, fn: string): void {
  if (!(Number.isFinite(factor) && factor >= 0)) throw new Error(`${fn}: expected a non-negative factor, got ${factor}`);
}

/** torchvision's luma weights for `rgb_to_grayscale`, as in grayscale.ts. */
const R = 0.2989;
const G = 0.587;
const B = 0.114;

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

// The kernels write `out`, which may be `src` itself: colorJitter chains them on one buffer.

function brightnessInto(src: Float32Array, out: Float32Array, factor: number): void {
  for (let i = 0; i < src.length; i++) out[i] = clamp01(src[i] * factor);
}

/** Mean gray level of one image: torchvision averages `rgb_to_grayscale` (or the single channel). */
function meanGray(src: Float32Array, channels: number): number {
  let total = 0;
  if (channels === 3) {
    for (let i = 0; i < src.length; i += 3) total += R * src[i] + G * src[i + 1] + B * src[i + 2];
    return total / (src.length / 3);
  }
  for (let i = 0; i < src.length; i++) total += src[i];
  return total / src.length;
}

function contrastInto(src: Float32Array, out: Float32Array, channels: number, factor: number): void {
  const offset = (1 - factor) * meanGray(src, channels);
  for (let i = 0; i < src.length; i++) out[i] = clamp01(src[i] * factor + offset);
}

function saturationInto(src: Float32Array, out: Float32Array, channels: number, factor: number): void {
  if (channels !== 3) {
    if (out !== src) out.set(src);
    return;
  }
  const rest = 1 - factor;
  for (let i = 0; i < src.length; i += 3) {
    const r = src[i];
    const g = src[i + 1];
    const b = src[i + 2];
    const gray = rest * (R * r + G * g + B * b);
    out[i] = clamp01(r * factor + gray);
    out[i + 1] = clamp01(g * factor + gray);
    out[i + 2] = clamp01(b * factor + gray);
  }
}

/** Pixel kernel of `adjustBrightness`: torchvision's `_blend(img, 0, factor)`. */
export function adjustBrightnessPixels(image: PixelImage, factor: number): PixelImage {
  const out = new Float32Array(image.data.length);
  brightnessInto(image.data, out, factor);
  return { ...image, data: out };
}

/** Pixel kernel of `adjustContrast`: blend with the image's mean gray level. */
export function adjustContrastPixels(image: PixelImage, factor: number): PixelImage {
  const out = new Float32Array(image.data.length);
  contrastInto(image.data, out, image.channels, factor);
  return { ...image, data: out };
}

/** Pixel kernel of `adjustSaturation`: blend RGB with its per-pixel gray; other channel counts are copied. */
export function adjustSaturationPixels(image: PixelImage, factor: number): PixelImage {
  const out = new Float32Array(image.data.length);
  saturationInto(image.data, out, image.channels, factor);
  return { ...image, data: out };
}

/** Multiplies intensities by `factor` (torchvision `adjust_brightness`). */
export function adjustBrightness<T extends ImageTensor>(x: T, factor: number): T {
  assertImageTensor(x, 'adjustBrightness');
  assertFactor(factor, 'adjustBrightness');
  return mapImages(x, (image) => adjustBrightnessPixels(image, factor));
}

/** Blends each image with its mean gray level (torchvision `adjust_contrast`; the mean is per image). */
export function adjustContrast<T extends ImageTensor>(x: T, factor: number): T {
  assertImageTensor(x, 'adjustContrast');
  assertFactor(factor, 'adjustContrast');
  return mapImages(x, (image) => adjustContrastPixels(image, factor));
}

/** Blends RGB with its grayscale (torchvision `adjust_saturation`); one-channel images are unchanged. */
export function adjustSaturation<T extends ImageTensor>(x: T, factor: number): T {
  assertImageTensor(x, 'adjustSaturation');
  assertFactor(factor, 'adjustSaturation');
  return mapImages(x, (image) => adjustSaturationPixels(image, factor));
}

/** A jitter strength `s` (factor drawn from [max(0, 1 - s), 1 + s]) or an explicit [min, max]. */
export type JitterRange = number | readonly [number, number];

export interface ColorJitterOptions {
  brightness?: JitterRange;
  contrast?: JitterRange;
  saturation?: JitterRange;
  seed: SeedOrRng;
}

function factorRange(value: JitterRange | undefined, name: string, fn: string): [number, number] | null {
  if (value === undefined) return null;
  const range: [number, number] = typeof value === 'number' ? [Math.max(0, 1 - value), 1 + value] : [value[0], value[1]];
  if (typeof value === 'number' && !(value >= 0)) {
    throw new Error(`${fn}: expected ${name} to be non-negative, got ${value}`);
  }
  if (!range.every(Number.isFinite) || range[0] < 0 || range[0] > range[1]) {
    throw new Error(`${fn}: expected ${name} as [min, max] with 0 <= min <= max, got ${JSON.stringify(value)}`);
  }
  // torchvision skips a component whose range is exactly [1, 1].
  return range[0] === 1 && range[1] === 1 ? null : range;
}

type JitterRanges = ([number, number] | null)[];

/** Validated [brightness, contrast, saturation] factor ranges, null for a skipped component. */
export function colorJitterRanges(options: Omit<ColorJitterOptions, 'seed'>, fn: string): JitterRanges {
  return [
    factorRange(options?.brightness, 'brightness', fn),
    factorRange(options?.contrast, 'contrast', fn),
    factorRange(options?.saturation, 'saturation', fn),
  ];
}

/** Pixel kernel of `colorJitter` for one image: draws its order and factors from `rng`, then adjusts. */
export function colorJitterPixels(image: PixelImage, ranges: JitterRanges, rng: Rng): PixelImage {
  const order = [0, 1, 2];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  // Factors are drawn in a fixed order so that the permutation does not change them.
  const factors = ranges.map((range) => (range ? rng.uniform(range[0], range[1]) : null));
  if (image.channels === 1) return { ...image, data: jitterGray(image.data, factors[0], factors[1], order.indexOf(0) < order.indexOf(1)) };
  const out = new Float32Array(image.data.length);
  let src = image.data;
  for (const k of order) {
    const factor = factors[k];
    if (factor === null) continue;
    if (k === 0) brightnessInto(src, out, factor);
    else if (k === 1) contrastInto(src, out, image.channels, factor);
    else saturationInto(src, out, image.channels, factor);
    // After the first adjustment the buffer is ours: the rest work in place.
    src = out;
  }
  if (src !== out) out.set(src);
  return { ...image, data: out };
}

/**
 * `colorJitterPixels` on one channel, where saturation is the identity: brightness and contrast in two passes
 * instead of three (the contrast mean is summed while brightness writes, or brightness is applied while
 * contrast writes). Intermediate values are rounded to float32 as the separate passes store them, so the
 * result is bit-identical to running them one after the other.
 */
function jitterGray(src: Float32Array, brightness: number | null, contrast: number | null, brightnessFirst: boolean): Float32Array {
  const out = new Float32Array(src.length);
  if (contrast === null) {
    if (brightness === null) out.set(src);
    else brightnessInto(src, out, brightness);
    return out;
  }
  if (brightness !== null && brightnessFirst) {
    let total = 0;
    for (let i = 0; i < src.length; i++) {
      out[i] = clamp01(src[i] * brightness);
      total += out[i];
    }
    const offset = (1 - contrast) * (total / src.length);
    for (let i = 0; i < out.length; i++) out[i] = clamp01(out[i] * contrast + offset);
    return out;
  }
  const offset = (1 - contrast) * meanGray(src, 1);
  if (brightness === null) {
    for (let i = 0; i < src.length; i++) out[i] = clamp01(src[i] * contrast + offset);
  } else {
    for (let i = 0; i < src.length; i++) out[i] = clamp01(Math.fround(clamp01(src[i] * contrast + offset)) * brightness);
  }
  return out;
}

/**
 * torchvision's `ColorJitter` without hue: per image, the three adjustments are applied in a random
 * order with factors drawn uniformly from their ranges. Hue is omitted because radiographs are gray.
 */
export function colorJitter<T extends ImageTensor>(x: T, options: ColorJitterOptions): T {
  assertImageTensor(x, 'colorJitter');
  requireSeed(options, 'colorJitter');
  const ranges = colorJitterRanges(options, 'colorJitter');
  const rng = toRng(options.seed);
  return mapImages(x, (image) => colorJitterPixels(image, ranges, rng));
}
