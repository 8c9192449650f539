import { assertImageTensor } from './image-tensor';
import type { ImageTensor } from './image-types';
import { mapQuantizedPlanes, saturateLevel } from './quantized-planes';

/** OpenCV's `equalizeHist` on one 8-bit plane. */
export function equalizePlane(plane: Uint8Array): Uint8Array {
  const hist = new Int32Array(256);
  for (let p = 0; p < plane.length; p++) hist[plane[p]]++;
  let first = 0;
  while (first < 255 && hist[first] === 0) first++;
  const total = plane.length;
  if (hist[first] === total) return new Uint8Array(plane.length).fill(first);
  const scale = Math.fround(255 / (total - hist[first]));
  const lut = new Uint8Array(256);
  let sum = 0;
  for (let i = first + 1; i < 256; i++) {
    sum += hist[i];
    lut[i] = saturateLevel(Math.fround(sum * scale), 255);
  }
  return plane.map((v) => lut[v]);
}

/**
 * Global histogram equalisation of each image and channel on 8-bit levels, as OpenCV's
 * `cv2.equalizeHist` (the darkest occupied level maps to 0).
 */
export function equalizeHistogram<T extends ImageTensor>(x: T): T {
  assertImageTensor(x, 'equalizeHistogram');
  return mapQuantizedPlanes(x, 8, (plane) => equalizePlane(plane as Uint8Array));
}
