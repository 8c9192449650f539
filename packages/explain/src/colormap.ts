import type { ColormapName } from './types';

/**
 * Turbo (Mikhailov, Google, 2019; Apache-2.0) sampled at 33 evenly spaced
 * points of its published 256-entry table, interpolated linearly: within 3/255
 * of the full table (the 5th-order polynomial often quoted for Turbo is off
 * by up to 30/255, visibly so in the reds).
 */
const TURBO_KNOTS: ReadonlyArray<readonly [number, number, number]> = [
  [48, 18, 59], [57, 42, 115], [64, 64, 162], [68, 86, 199], [70, 107, 227], [70, 128, 246],
  [66, 148, 255], [55, 168, 250], [40, 188, 235], [28, 205, 216], [24, 221, 194], [31, 233, 175],
  [50, 242, 152], [78, 249, 125], [109, 254, 98], [139, 255, 75], [164, 252, 60], [183, 247, 53],
  [203, 237, 52], [221, 224, 55], [236, 209, 58], [247, 193, 58], [253, 174, 53], [254, 153, 44],
  [251, 129, 34], [245, 105, 24], [236, 83, 15], [225, 65, 9], [210, 49, 5], [193, 35, 2],
  [172, 23, 1], [149, 13, 1], [122, 4, 3],
];

const clamp01 = (v: number) => (v > 1 ? 1 : v > 0 ? v : 0); // NaN falls to 0

function turbo(v: number, out: Uint8Array, at: number): void {
  const position = v * (TURBO_KNOTS.length - 1);
  const i = Math.min(Math.floor(position), TURBO_KNOTS.length - 2);
  const f = position - i;
  const a = TURBO_KNOTS[i]!;
  const b = TURBO_KNOTS[i + 1]!;
  for (let c = 0; c < 3; c++) out[at + c] = Math.round(a[c]! + (b[c]! - a[c]!) * f);
}

/** MATLAB / OpenCV jet: three overlapping triangles, dark blue to dark red. */
function jet(v: number, out: Uint8Array, at: number): void {
  out[at] = Math.round(255 * clamp01(1.5 - Math.abs(4 * v - 3)));
  out[at + 1] = Math.round(255 * clamp01(1.5 - Math.abs(4 * v - 2)));
  out[at + 2] = Math.round(255 * clamp01(1.5 - Math.abs(4 * v - 1)));
}

function gray(v: number, out: Uint8Array, at: number): void {
  out[at] = out[at + 1] = out[at + 2] = Math.round(255 * v);
}

const PAINTERS: Record<ColormapName, (v: number, out: Uint8Array, at: number) => void> = { turbo, jet, gray };

/**
 * Maps values in [0, 1] (clamped; NaN counts as 0) to 8-bit RGB, interleaved:
 * `out[3 i .. 3 i + 2]` is the colour of `values[i]`. `turbo` (default) is
 * perceptually ordered without jet's false bands; `jet` matches
 * `cv2.COLORMAP_JET`, pytorch-grad-cam's default; `gray` is a linear ramp.
 */
export function colormap(values: ArrayLike<number>, name: ColormapName = 'turbo'): Uint8Array {
  const paint = PAINTERS[name];
  if (paint === undefined) {
    throw new Error(`colormap: unknown colormap '${String(name)}', expected one of ${Object.keys(PAINTERS).join(', ')}`);
  }
  const out = new Uint8Array(values.length * 3);
  for (let i = 0; i < values.length; i++) paint(clamp01(values[i]!), out, i * 3);
  return out;
}
