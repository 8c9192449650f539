import * as tf from '@tensorflow/tfjs-core';
import { asBatch, likeInput } from './image-tensor';
import type { ImageTensor } from './image-types';

export type LevelPlane = Uint8Array | Uint16Array;

/**
 * Runs `process` on every image channel quantised to integer levels (8-bit: 0–255, 16-bit: 0–65535)
 * and returns the result in [0, 1]. Histogram operations are data-dependent table look-ups with
 * integer clipping, which map poorly onto tensor kernels and must match OpenCV level for level, so
 * they run in plain JS on the pixel data.
 */
export function mapQuantizedPlanes<T extends ImageTensor>(
  x: T,
  bitDepth: 8 | 16,
  process: (plane: LevelPlane, height: number, width: number) => LevelPlane,
): T {
  const top = bitDepth === 16 ? 65535 : 255;
  const batch = asBatch(x);
  const [n, h, w, c] = batch.shape;
  const values = batch.dataSync();
  if (batch !== x) batch.dispose();
  const out = new Float32Array(values.length);
  const plane = bitDepth === 16 ? new Uint16Array(h * w) : new Uint8Array(h * w);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const base = i * h * w * c + ch;
      for (let p = 0; p < h * w; p++) {
        const v = values[base + p * c];
        plane[p] = v > 0 ? (v >= 1 ? top : Math.round(v * top)) : 0;
      }
      const result = process(plane, h, w);
      for (let p = 0; p < h * w; p++) out[base + p * c] = result[p] / top;
    }
  }
  return tf.tidy(() => likeInput(x, tf.tensor4d(out, [n, h, w, c])));
}

/** OpenCV's saturate_cast from float: round half to even (cvRound), then clamp to [0, top]. */
export function saturateLevel(v: number, top: number): number {
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2 !== 0) r -= 1;
  return r < 0 ? 0 : r > top ? top : r;
}
