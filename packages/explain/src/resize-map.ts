import type { Heatmap } from './types';

/**
 * Bilinear resize of a float map with half-pixel centres and edge clamping
 * (OpenCV's INTER_LINEAR, TF's `halfPixelCenters`), in plain JS so overlays
 * of multi-megapixel X-rays need no tensors.
 */
export function resizeMap(map: Heatmap, width: number, height: number): Heatmap {
  if (map.width === width && map.height === height) return { data: map.data.slice(), width, height };
  const taps = (outSize: number, inSize: number) => {
    const low = new Int32Array(outSize);
    const high = new Int32Array(outSize);
    const frac = new Float32Array(outSize);
    const scale = inSize / outSize;
    for (let o = 0; o < outSize; o++) {
      const source = Math.max(0, (o + 0.5) * scale - 0.5);
      const i = Math.min(Math.floor(source), inSize - 1);
      low[o] = i;
      high[o] = Math.min(i + 1, inSize - 1);
      frac[o] = i === inSize - 1 ? 0 : source - i;
    }
    return { low, high, frac };
  };
  const ys = taps(height, map.height);
  const xs = taps(width, map.width);
  const data = new Float32Array(width * height);
  const src = map.data;
  for (let y = 0; y < height; y++) {
    const top = ys.low[y]! * map.width;
    const bottom = ys.high[y]! * map.width;
    const fy = ys.frac[y]!;
    for (let x = 0; x < width; x++) {
      const x0 = xs.low[x]!;
      const x1 = xs.high[x]!;
      const fx = xs.frac[x]!;
      const upper = src[top + x0]! + (src[top + x1]! - src[top + x0]!) * fx;
      const lower = src[bottom + x0]! + (src[bottom + x1]! - src[bottom + x0]!) * fx;
      data[y * width + x] = upper + (lower - upper) * fy;
    }
  }
  return { data, width, height };
}
