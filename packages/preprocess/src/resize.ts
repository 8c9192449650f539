import { assertImageTensor, parseSize } from './image-tensor';
import type { ImageSize, ImageTensor, PixelImage } from './image-types';
import { mapImages } from './pixel-image';

export interface ResizeOptions {
  /**
   * Widen the bilinear (triangle) filter by the downscale factor, as PIL's `Image.resize(BILINEAR)` and
   * torch's `interpolate(..., antialias=True)` do. Default true: without it a 2000-px radiograph shrunk
   * to 224 px samples only ~2 % of its pixels and aliases fine trabecular texture. Has no effect when
   * enlarging.
   */
  antialias?: boolean;
}

interface AxisFilter {
  taps: number;
  indices: Int32Array;
  weights: Float32Array;
}

/**
 * PIL's resampling coefficients (Resample.c, precompute_coeffs) for the triangle filter: each output
 * sample averages the inputs within `support` of its centre, weights normalised to sum to one.
 */
function triangleFilter(inSize: number, outSize: number, antialias: boolean): AxisFilter {
  const scale = inSize / outSize;
  // Without antialiasing the support stays one input pixel: plain half-pixel bilinear with edge clamping.
  const filterScale = antialias ? Math.max(scale, 1) : 1;
  const support = filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const indices = new Int32Array(outSize * taps);
  const weights = new Float32Array(outSize * taps);
  const row = new Float64Array(taps);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    // Math.trunc mirrors C's int cast, which PIL and torch use here (it is not floor for negatives).
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    for (let j = lo; j < hi; j++) {
      const w = Math.max(0, 1 - Math.abs((j - center + 0.5) / filterScale));
      row[j - lo] = w;
      total += w;
    }
    for (let k = 0; k < taps; k++) {
      const j = lo + k;
      indices[i * taps + k] = Math.min(j, inSize - 1);
      weights[i * taps + k] = j < hi && total > 0 ? row[k] / total : 0;
    }
  }
  return withoutZeroTaps({ taps, indices, weights }, outSize);
}

/**
 * The same filter with the taps that are zero for every output dropped from the ends of each window:
 * enlarging then needs 2 taps instead of 3, a mild shrink 3 instead of 5. Dropping zero terms leaves
 * every sum unchanged.
 */
function withoutZeroTaps(filter: AxisFilter, outSize: number): AxisFilter {
  const { taps, indices, weights } = filter;
  const first = new Int32Array(outSize);
  let needed = 1;
  for (let i = 0; i < outSize; i++) {
    let lo = 0;
    let hi = taps - 1;
    while (lo < taps && weights[i * taps + lo] === 0) lo++;
    while (hi > lo && weights[i * taps + hi] === 0) hi--;
    first[i] = lo < taps ? lo : 0;
    needed = Math.max(needed, lo < taps ? hi - lo + 1 : 1);
  }
  if (needed === taps) return filter;
  const compactIndices = new Int32Array(outSize * needed);
  const compactWeights = new Float32Array(outSize * needed);
  for (let i = 0; i < outSize; i++) {
    for (let k = 0; k < needed; k++) {
      const from = first[i] + k;
      // A window shorter than `needed` is padded with zero weights on a valid index.
      compactIndices[i * needed + k] = from < taps ? indices[i * taps + from] : indices[i * taps + taps - 1];
      compactWeights[i * needed + k] = from < taps ? weights[i * taps + from] : 0;
    }
  }
  return { taps: needed, indices: compactIndices, weights: compactWeights };
}


/**
 * One separable pass along `axis` (1 = rows, 2 = columns) of an [N, H, W, C] array. Plain loops over
 * the few non-zero taps: composing it from tfjs gather/mul/sum on the CPU backend was 60–150x slower
 * (6 s vs 40–100 ms for 2000x1600 → 224x224).
 */
function resampleAxis(
  src: Float32Array,
  shape: [number, number, number, number],
  axis: 1 | 2,
  outSize: number,
  antialias: boolean,
): { data: Float32Array; shape: [number, number, number, number] } {
  const [n, h, w, c] = shape;
  const { taps, indices, weights } = triangleFilter(axis === 1 ? h : w, outSize, antialias);
  const outShape: [number, number, number, number] = axis === 1 ? [n, outSize, w, c] : [n, h, outSize, c];
  const out = new Float32Array(outShape.reduce((a, b) => a * b, 1));
  const rowStride = w * c;
  if (axis === 2 && c === 1 && taps === 3) {
    // Mild shrinking of a gray image (an augmentation crop a little larger than the output): three taps.
    for (let row = 0; row < n * h; row++) {
      const inBase = row * w;
      const outBase = row * outSize;
      for (let o = 0, f = 0; o < outSize; o++, f += 3) {
        out[outBase + o] =
          weights[f] * src[inBase + indices[f]] + weights[f + 1] * src[inBase + indices[f + 1]] + weights[f + 2] * src[inBase + indices[f + 2]];
      }
    }
  } else if (axis === 2 && c === 1 && taps === 2) {
    // Enlarging a gray image: two taps per output.
    for (let row = 0; row < n * h; row++) {
      const inBase = row * w;
      const outBase = row * outSize;
      for (let o = 0, f = 0; o < outSize; o++, f += 2) {
        out[outBase + o] = weights[f] * src[inBase + indices[f]] + weights[f + 1] * src[inBase + indices[f + 1]];
      }
    }
  } else if (axis === 1 && taps === 2) {
    for (let image = 0; image < n; image++) {
      const inBase = image * h * rowStride;
      const outBase = image * outSize * rowStride;
      for (let o = 0, f = 0; o < outSize; o++, f += 2) {
        const to = outBase + o * rowStride;
        const [w0, w1] = [weights[f], weights[f + 1]];
        const r0 = inBase + indices[f] * rowStride;
        const r1 = inBase + indices[f + 1] * rowStride;
        for (let i = 0; i < rowStride; i++) out[to + i] = w0 * src[r0 + i] + w1 * src[r1 + i];
      }
    }
  } else if (axis === 1 && taps === 3) {
    // The same along columns: three whole rows combined in one pass instead of three accumulating ones.
    for (let image = 0; image < n; image++) {
      const inBase = image * h * rowStride;
      const outBase = image * outSize * rowStride;
      for (let o = 0, f = 0; o < outSize; o++, f += 3) {
        const to = outBase + o * rowStride;
        const [w0, w1, w2] = [weights[f], weights[f + 1], weights[f + 2]];
        const r0 = inBase + indices[f] * rowStride;
        const r1 = inBase + indices[f + 1] * rowStride;
        const r2 = inBase + indices[f + 2] * rowStride;
        for (let i = 0; i < rowStride; i++) out[to + i] = w0 * src[r0 + i] + w1 * src[r1 + i] + w2 * src[r2 + i];
      }
    }
  } else if (axis === 2 && c === 1) {
    // Gray radiographs are the common case: a scalar accumulator keeps this loop tight.
    for (let row = 0; row < n * h; row++) {
      const inBase = row * w;
      const outBase = row * outSize;
      for (let o = 0; o < outSize; o++) {
        let acc = 0;
        const first = o * taps;
        const start = indices[first];
        if (start + taps <= w) {
          // The window's taps are consecutive pixels (only a window clamped at the right edge is not).
          const from = inBase + start;
          for (let k = 0; k < taps; k++) acc += weights[first + k] * src[from + k];
        } else {
          for (let k = 0; k < taps; k++) acc += weights[first + k] * src[inBase + indices[first + k]];
        }
        out[outBase + o] = acc;
      }
    }
  } else if (axis === 2 && c === 3) {
    // RGB (augmentation after the gray image is replicated): three scalar accumulators.
    for (let row = 0; row < n * h; row++) {
      const inBase = row * rowStride;
      const outBase = row * outSize * 3;
      for (let o = 0; o < outSize; o++) {
        let r = 0;
        let g = 0;
        let b = 0;
        const first = o * taps;
        for (let k = 0; k < taps; k++) {
          const weight = weights[first + k];
          const from = inBase + indices[first + k] * 3;
          r += weight * src[from];
          g += weight * src[from + 1];
          b += weight * src[from + 2];
        }
        out[outBase + o * 3] = r;
        out[outBase + o * 3 + 1] = g;
        out[outBase + o * 3 + 2] = b;
      }
    }
  } else if (axis === 2) {
    for (let row = 0; row < n * h; row++) {
      const inBase = row * rowStride;
      const outBase = row * outSize * c;
      for (let o = 0; o < outSize; o++) {
        for (let k = 0; k < taps; k++) {
          const weight = weights[o * taps + k];
          if (weight === 0) continue;
          const from = inBase + indices[o * taps + k] * c;
          const to = outBase + o * c;
          for (let ch = 0; ch < c; ch++) out[to + ch] += weight * src[from + ch];
        }
      }
    }
  } else {
    for (let image = 0; image < n; image++) {
      const inBase = image * h * rowStride;
      const outBase = image * outSize * rowStride;
      for (let o = 0; o < outSize; o++) {
        const to = outBase + o * rowStride;
        for (let k = 0; k < taps; k++) {
          const weight = weights[o * taps + k];
          if (weight === 0) continue;
          const from = inBase + indices[o * taps + k] * rowStride;
          for (let i = 0; i < rowStride; i++) out[to + i] += weight * src[from + i];
        }
      }
    }
  }
  return { data: out, shape: outShape };
}

/**
 * Bilinear resize of [H, W, C] or [N, H, W, C] to `size` ([height, width] or a square side) with
 * half-pixel centres. Without antialiasing it equals torch `interpolate(mode='bilinear',
 * align_corners=False)`; with it (the default) torch's `antialias=True` and PIL's BILINEAR — see README
 * for the measured differences.
 */
export function resize<T extends ImageTensor>(x: T, size: ImageSize, options: ResizeOptions = {}): T {
  assertImageTensor(x, 'resize');
  const [outHeight, outWidth] = parseSize(size, 'resize');
  const antialias = options.antialias ?? true;
  return mapImages(x, (image) => resizePixels(image, [outHeight, outWidth], { antialias }));
}

/** Pixel kernel of `resize` for one image (same sampling; `size` is [height, width] or a square side). */
export function resizePixels(image: PixelImage, size: ImageSize, options: ResizeOptions = {}): PixelImage {
  const [outHeight, outWidth] = parseSize(size, 'resizePixels');
  const antialias = options.antialias ?? true;
  const { width, height, channels } = image;
  let current = { data: image.data, shape: [1, height, width, channels] as [number, number, number, number] };
  if (outWidth !== width) current = resampleAxis(current.data, current.shape, 2, outWidth, antialias);
  if (outHeight !== height) current = resampleAxis(current.data, current.shape, 1, outHeight, antialias);
  const data = current.data === image.data ? Float32Array.from(image.data) : current.data;
  return { data, width: outWidth, height: outHeight, channels };
}
