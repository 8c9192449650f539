import { colormap } from './colormap';
import { resizeMap } from './resize-map';
import type { Heatmap, OverlayOptions, RasterImage, RgbImage } from './types';

export function validateImage(image: RasterImage, caller: string): void {
  const { width, height, channels, bitDepth, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${caller}: image size must be positive integers, got ${width}x${height}`);
  }
  if (![1, 2, 3, 4].includes(channels)) throw new Error(`${caller}: image channels must be 1-4, got ${channels}`);
  if (bitDepth !== 8 && bitDepth !== 16) throw new Error(`${caller}: image bitDepth must be 8 or 16, got ${bitDepth}`);
  if (data.length !== width * height * channels) {
    throw new Error(`${caller}: image data has ${data.length} samples, expected ${width}x${height}x${channels} = ${width * height * channels}`);
  }
}

export function validateHeatmap(heatmap: Heatmap, caller: string): void {
  const { width, height, data } = heatmap;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${caller}: heatmap size must be positive integers, got ${width}x${height}`);
  }
  if (!(data instanceof Float32Array) || data.length !== width * height) {
    throw new Error(`${caller}: heatmap data must be a Float32Array of ${width}x${height} values`);
  }
}

/**
 * The X-ray as 8-bit RGB for display: gray (plus alpha, which is dropped)
 * is replicated to three channels; 16-bit samples are scaled by the full
 * range or stretched from the image's own min..max (`window: 'auto'`).
 */
export function toDisplayRgb(image: RasterImage, window: 'auto' | 'full' = 'auto'): Uint8Array {
  const { width, height, channels, bitDepth, data } = image;
  const colourChannels = channels >= 3 ? 3 : 1;
  let offset = 0;
  let scale = 1;
  if (bitDepth === 16) {
    scale = 255 / 65535;
    if (window === 'auto') {
      let lo = Infinity;
      let hi = -Infinity;
      for (let p = 0; p < width * height; p++) {
        for (let c = 0; c < colourChannels; c++) {
          const v = data[p * channels + c]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      if (hi > lo) {
        offset = lo;
        scale = 255 / (hi - lo);
      }
    }
  }
  const out = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const v = data[p * channels + (colourChannels === 3 ? c : 0)]!;
      out[p * 3 + c] = bitDepth === 8 ? v : Math.round((v - offset) * scale);
    }
  }
  return out;
}

/**
 * Blends a heatmap in a colormap over the original X-ray at the X-ray's own
 * resolution: the map (any size, values in [0, 1]) is resized bilinearly
 * with half-pixel centres, coloured, and mixed as
 * `(1 - alpha) * xray + alpha * colour` (pytorch-grad-cam's
 * `show_cam_on_image` with `image_weight = 1 - alpha`). Pixels whose heat
 * is below `threshold` keep the X-ray unchanged. Returns 8-bit RGB, ready
 * for `encodePng`.
 */
export function overlayHeatmap(original: RasterImage, heatmap: Heatmap, options: OverlayOptions = {}): RgbImage {
  validateImage(original, 'overlayHeatmap');
  validateHeatmap(heatmap, 'overlayHeatmap');
  const alpha = options.alpha ?? 0.4;
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`overlayHeatmap: alpha must be in [0, 1], got ${alpha}`);
  const threshold = options.threshold ?? 0;
  const { width, height } = original;
  const base = toDisplayRgb(original, options.window);
  const heat = resizeMap(heatmap, width, height);
  const colours = colormap(heat.data, options.colormap ?? 'turbo');
  const out = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const paint = heat.data[p]! >= threshold;
    for (let c = 0; c < 3; c++) {
      const i = p * 3 + c;
      out[i] = paint ? Math.round((1 - alpha) * base[i]! + alpha * colours[i]!) : base[i]!;
    }
  }
  return { data: out, width, height, channels: 3, bitDepth: 8 };
}
