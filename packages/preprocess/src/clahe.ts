import { assertImageTensor } from './image-tensor';
import type { ImageTensor } from './image-types';
import { type LevelPlane, mapQuantizedPlanes, saturateLevel } from './quantized-planes';

export interface ClaheOptions {
  /** OpenCV's clipLimit: a bin is clipped at clipLimit × tile area / bins (256, or 65536 at 16 bits); 0 disables clipping. Default 2. */
  clipLimit?: number;
  /** OpenCV's tileGridSize as [columns (x), rows (y)]; default [8, 8]. */
  tileGridSize?: readonly [number, number];
  /**
   * Levels to work on: 8 (default, OpenCV on uint8) or 16 (OpenCV on uint16: 65536 bins, keeps the
   * precision of 12–16-bit radiographs).
   */
  bitDepth?: 8 | 16;
}

/** Reflect-101 index (OpenCV BORDER_REFLECT_101: no edge repeat). */
function reflect101(i: number, size: number): number {
  if (size === 1) return 0;
  while (i < 0 || i >= size) i = i < 0 ? -i : 2 * size - 2 - i;
  return i;
}

/**
 * OpenCV's CLAHE (imgproc/src/clahe.cpp) on one 8- or 16-bit plane: per-tile histograms (the image extended
 * with reflect-101 to a multiple of the grid), clipping with uniform then stepped redistribution of the
 * excess, cumulative LUTs, and bilinear interpolation between the four nearest tiles' LUTs.
 */
export function clahePlane(
  plane: LevelPlane,
  height: number,
  width: number,
  clipLimit: number,
  tilesX: number,
  tilesY: number,
): LevelPlane {
  const bins = plane instanceof Uint16Array ? 65536 : 256;
  const top = bins - 1;
  const divisible = width % tilesX === 0 && height % tilesY === 0;
  // OpenCV pads both axes whenever either is not divisible (a full extra tile row/column if one is).
  const extHeight = divisible ? height : height + tilesY - (height % tilesY);
  const extWidth = divisible ? width : width + tilesX - (width % tilesX);
  const tileWidth = extWidth / tilesX;
  const tileHeight = extHeight / tilesY;
  const tileArea = tileWidth * tileHeight;
  const lutScale = Math.fround(top / tileArea);
  const clip = clipLimit > 0 ? Math.max(Math.trunc((clipLimit * tileArea) / bins), 1) : 0;
  const luts = bins === 256 ? new Uint8Array(tilesX * tilesY * bins) : new Uint16Array(tilesX * tilesY * bins);
  const hist = new Int32Array(bins);
  for (let ty = 0; ty < tilesY; ty++) {
    for (let tx = 0; tx < tilesX; tx++) {
      hist.fill(0);
      for (let y = ty * tileHeight; y < (ty + 1) * tileHeight; y++) {
        const row = reflect101(y, height) * width;
        for (let x = tx * tileWidth; x < (tx + 1) * tileWidth; x++) hist[plane[row + reflect101(x, width)]]++;
      }
      if (clip > 0) {
        let clipped = 0;
        for (let i = 0; i < bins; i++) {
          if (hist[i] > clip) {
            clipped += hist[i] - clip;
            hist[i] = clip;
          }
        }
        const batch = Math.floor(clipped / bins);
        let residual = clipped - batch * bins;
        for (let i = 0; i < bins; i++) hist[i] += batch;
        if (residual !== 0) {
          const step = Math.max(Math.floor(bins / residual), 1);
          for (let i = 0; i < bins && residual > 0; i += step, residual--) hist[i]++;
        }
      }
      const lut = (ty * tilesX + tx) * bins;
      let sum = 0;
      for (let i = 0; i < bins; i++) {
        sum += hist[i];
        luts[lut + i] = saturateLevel(Math.fround(sum * lutScale), top);
      }
    }
  }
  const out = bins === 256 ? new Uint8Array(plane.length) : new Uint16Array(plane.length);
  const invTileWidth = Math.fround(1 / tileWidth);
  const invTileHeight = Math.fround(1 / tileHeight);
  const f = Math.fround;
  for (let y = 0; y < height; y++) {
    const tyf = f(f(y * invTileHeight) - 0.5);
    let ty1 = Math.floor(tyf);
    let ty2 = ty1 + 1;
    const ya = f(tyf - ty1);
    const ya1 = f(1 - ya);
    ty1 = Math.max(ty1, 0);
    ty2 = Math.min(ty2, tilesY - 1);
    for (let x = 0; x < width; x++) {
      const txf = f(f(x * invTileWidth) - 0.5);
      let tx1 = Math.floor(txf);
      let tx2 = tx1 + 1;
      const xa = f(txf - tx1);
      const xa1 = f(1 - xa);
      tx1 = Math.max(tx1, 0);
      tx2 = Math.min(tx2, tilesX - 1);
      const v = plane[y * width + x];
      const upper = f(f(luts[(ty1 * tilesX + tx1) * bins + v] * xa1) + f(luts[(ty1 * tilesX + tx2) * bins + v] * xa));
      const lower = f(f(luts[(ty2 * tilesX + tx1) * bins + v] * xa1) + f(luts[(ty2 * tilesX + tx2) * bins + v] * xa));
      out[y * width + x] = saturateLevel(f(f(upper * ya1) + f(lower * ya)), top);
    }
  }
  return out;
}

/**
 * Contrast-limited adaptive histogram equalisation of each image and channel on 8-bit (default) or
 * 16-bit levels, as OpenCV's `cv2.createCLAHE(clipLimit, tileGridSize).apply` on uint8 / uint16.
 */
export function clahe<T extends ImageTensor>(x: T, options: ClaheOptions = {}): T {
  assertImageTensor(x, 'clahe');
  const clipLimit = options.clipLimit ?? 2;
  const [tilesX, tilesY] = options.tileGridSize ?? [8, 8];
  const bitDepth = options.bitDepth ?? 8;
  if (bitDepth !== 8 && bitDepth !== 16) throw new Error(`clahe: expected bitDepth 8 or 16, got ${String(bitDepth)}`);
  if (!(Number.isFinite(clipLimit) && clipLimit >= 0)) {
    throw new Error(`clahe: expected clipLimit >= 0, got ${clipLimit}`);
  }
  if (![tilesX, tilesY].every((t) => Number.isInteger(t) && t > 0)) {
    throw new Error(`clahe: expected tileGridSize as two positive integers, got ${JSON.stringify(options.tileGridSize)}`);
  }
  const h = x.shape[x.rank - 3];
  const w = x.shape[x.rank - 2];
  if (tilesX > w || tilesY > h) {
    throw new Error(`clahe: a ${tilesX}x${tilesY} tile grid needs an image at least that large, got ${w}x${h}`);
  }
  return mapQuantizedPlanes(x, bitDepth, (plane, height, width) =>
    clahePlane(plane, height, width, clipLimit, tilesX, tilesY),
  );
}
