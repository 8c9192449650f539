/**
 * Test-only reference implementations in plain loops, written from the
 * papers / OpenCV's documented algorithm rather than from our tensor code.
 */

/** OpenCV INTER_LINEAR resize of a single-channel float map (half-pixel centres, edge clamping). */
export function cvResizeLinear(src: ArrayLike<number>, sh: number, sw: number, dh: number, dw: number): Float32Array {
  const out = new Float32Array(dh * dw);
  const sy = sh / dh;
  const sx = sw / dw;
  const coord = (d: number, scale: number, size: number): [number, number, number] => {
    let f = (d + 0.5) * scale - 0.5;
    let i = Math.floor(f);
    f -= i;
    if (i < 0) {
      i = 0;
      f = 0;
    }
    if (i >= size - 1) {
      i = size - 1;
      f = 0;
    }
    return [i, Math.min(i + 1, size - 1), f];
  };
  for (let y = 0; y < dh; y++) {
    const [y0, y1, fy] = coord(y, sy, sh);
    for (let x = 0; x < dw; x++) {
      const [x0, x1, fx] = coord(x, sx, sw);
      const top = src[y0 * sw + x0]! * (1 - fx) + src[y0 * sw + x1]! * fx;
      const bottom = src[y1 * sw + x0]! * (1 - fx) + src[y1 * sw + x1]! * fx;
      out[y * dw + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** Min-max to [0, 1]; constant maps become zeros. */
export function minMax(values: ArrayLike<number>): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  const out = new Float32Array(values.length);
  if (hi > lo) for (let i = 0; i < values.length; i++) out[i] = (values[i]! - lo) / (hi - lo);
  return out;
}

/**
 * Grad-CAM and Grad-CAM++ maps of ONE image from its activation and gradient,
 * both `[h, w, c]` row-major.
 */
export function camFromGradients(
  activation: ArrayLike<number>,
  gradient: ArrayLike<number>,
  h: number,
  w: number,
  c: number,
  method: 'gradcam' | 'gradcam++',
): Float32Array {
  const weights = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    let sumA = 0;
    for (let p = 0; p < h * w; p++) sumA += activation[p * c + k]!;
    let acc = 0;
    for (let p = 0; p < h * w; p++) {
      const g = gradient[p * c + k]!;
      if (method === 'gradcam') {
        acc += g / (h * w);
      } else if (g !== 0) {
        const alpha = (g * g) / (2 * g * g + sumA * g * g * g + 1e-6);
        acc += alpha * Math.max(g, 0);
      }
    }
    weights[k] = acc;
  }
  const cam = new Float32Array(h * w);
  for (let p = 0; p < h * w; p++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += weights[k]! * activation[p * c + k]!;
    cam[p] = Math.max(s, 0);
  }
  return cam;
}
