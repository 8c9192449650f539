import type { TensorInfo } from '@tensorflow/tfjs-core';
import { convKernelWorkers, type ConvKernelExports } from './conv-kernels';
import { asFloat32, disposeInfos, type WasmBackendLike } from './wasm-kernel-utils';
import { heapOffset } from './wasm-kernels';
import { matrixStride, roundUp, runSplit, type WinogradGeometry } from './winograd-conv';

/*
 * The filter gradient of a stride-1 3x3 convolution by Winograd's F(2x2, 3x3). The forward pass computes each 2x2
 * output block as Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A; differentiating that with respect to g gives, per channel pair,
 *   dg = Gᵀ [ Σ_tiles (Bᵀ d B) ⊙ (A dY Aᵀ) ] G,
 * i.e. 16 matrix products M_k = V_kᵀ W_k reducing over the tiles, where V is exactly the forward's input transform
 * (the same kernels) and W the 4x4 transform of each 2x2 block of dy. That is 16 products per tile and channel pair
 * instead of the 36 the column matrix multiply does, and no [9·Ci x N·OH·OW] column matrix.
 *
 * Images are processed in chunks (bounded scratch, as in winograd-conv.ts) and every chunk's products are added
 * into M. On the threaded build the transforms are split by images and the products by column panels of M (each
 * thread owns whole columns of every M_k), so nothing is summed across threads and the result is bit-identical to
 * one thread.
 */

// Scratch (padded input, V and W) per chunk of images; ResNet18's 56x56x64 layer needs about 7 MiB per image.
let scratchBytes = 64 * 1024 * 1024;

/** Test hook: the scratch budget per chunk of images (at least one image per chunk). Returns the previous one. */
export function setWinogradFilterGradientScratchBytes(bytes: number): number {
  const previous = scratchBytes;
  scratchBytes = bytes;
  return previous;
}

let calls = 0;

/** Test hook: how many filter gradients have run on this path in this process. */
export function winogradFilterGradientCallCount(): number {
  return calls;
}

/**
 * Rows (tiles) each float32 partial sum of the products runs over before it is added into M. The sums of one
 * element then have about block + tiles / block roundings instead of tiles (12,544 for ResNet18's first stage at
 * batch 16), and a block of V's and W's rows (block x (cp + coP) floats, 128 KiB up to 512 KiB for 512 channels)
 * stays in the L2 cache while every 4x8 block of M is computed from it.
 */
export function rowBlock(cp: number, coP: number): number {
  // At least 128: ResNet18's 7x7x512 layer (cp + coP = 1024) took 43.8 ms at 32 rows and 34.5 at 128 (batch 8,
  // M's 16 MiB re-read once per block); 256 measured no better.
  return Math.max(128, Math.min(512, Math.floor(32768 / (cp + coP))));
}

/**
 * dg [3, 3, Ci, Co], the gradient of the filter of a stride-1 3x3 convolution of x [N, H, W, Ci] producing
 * dy [N, OH, OW, Co] with `geometry`'s padding (OH, OW must be dy's).
 */
export function winogradFilterGradient3x3(
  backend: WasmBackendLike,
  kernels: ConvKernelExports,
  x: TensorInfo,
  dy: TensorInfo,
  geometry: WinogradGeometry,
): TensorInfo {
  if (x.shape.length !== 4 || dy.shape.length !== 4) {
    throw new Error(`winogradFilterGradient3x3: expected NHWC x and dy, got [${x.shape}] and [${dy.shape}]`);
  }
  const [batch, height, width, inChannels] = x.shape as [number, number, number, number];
  const [dyBatch, dyHeight, dyWidth, outChannels] = dy.shape as [number, number, number, number];
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`winogradFilterGradient3x3: float32 only (got ${x.dtype}, ${dy.dtype})`);
  }
  const { top, left, outHeight, outWidth } = geometry;
  if (top < 0 || left < 0 || outHeight < 1 || outWidth < 1) {
    throw new Error(`winogradFilterGradient3x3: invalid geometry ${JSON.stringify(geometry)}`);
  }
  if (dyBatch !== batch || dyHeight !== outHeight || dyWidth !== outWidth || inChannels < 1 || outChannels < 1) {
    throw new Error(`winogradFilterGradient3x3: dy [${dy.shape}] does not fit x [${x.shape}] and geometry ${JSON.stringify(geometry)}`);
  }
  calls++;
  const tilesH = Math.ceil(outHeight / 2);
  const tilesW = Math.ceil(outWidth / 2);
  const hp = Math.max(2 * tilesH + 2, top + height);
  const wp = Math.max(2 * tilesW + 2, left + width);
  const cp = roundUp(inChannels, 4);
  const coP = roundUp(outChannels, 8);
  const panels = coP / 8;
  const tilesPerImage = tilesH * tilesW;

  const bytesPerImage = 4 * (hp * wp * cp + 16 * tilesPerImage * (cp + coP));
  const chunk = Math.max(1, Math.min(batch, Math.floor(scratchBytes / bytesPerImage)));
  const rowsMax = chunk * tilesPerImage;
  const vStride = matrixStride(4 * rowsMax * cp);
  const wStride = matrixStride(4 * rowsMax * coP);
  const mStride = matrixStride(4 * cp * coP);
  const dg = backend.makeOutput([3, 3, inChannels, outChannels], 'float32');
  const padded = backend.makeOutput([chunk * hp * wp * cp], 'float32');
  // makeOutput counts float32 elements: 16 matrices of `stride` bytes each
  const v = backend.makeOutput([4 * vStride], 'float32');
  const w = backend.makeOutput([4 * wStride], 'float32');
  const m = backend.makeOutput([4 * mStride], 'float32');
  try {
    // The heap may hold anything: M is a running sum, so it starts at zero.
    asFloat32(backend, m).fill(0);
    const [xAt, dyAt, pAt, vAt, wAt, mAt] = [x, dy, padded, v, w, m].map((t) => heapOffset(backend, t)) as [
      number, number, number, number, number, number,
    ];
    const pool = convKernelWorkers(backend);
    const split = <K extends keyof ConvKernelExports>(fn: K, total: number, multiple: number, argsOf: (start: number, count: number) => number[]) =>
      runSplit(kernels, pool, fn, total, multiple, argsOf);
    const imageBytes = {
      x: 4 * height * width * inChannels, dy: 4 * outHeight * outWidth * outChannels, p: 4 * hp * wp * cp,
      v: 4 * tilesPerImage * cp, w: 4 * tilesPerImage * coP,
    };
    const block = rowBlock(cp, coP);
    for (let first = 0; first < batch; first += chunk) {
      const images = Math.min(chunk, batch - first);
      const rows = images * tilesPerImage;
      const xFirst = xAt + first * imageBytes.x;
      const dyFirst = dyAt + first * imageBytes.dy;
      split('wino_pad_input', images, 1, (i, n) => [xFirst + i * imageBytes.x, pAt + i * imageBytes.p, n, height, width, inChannels, hp, wp, cp, top, left]);
      split('wino_input_transform', images, 1, (i, n) => [pAt + i * imageBytes.p, vAt + i * imageBytes.v, n, tilesH, tilesW, hp, wp, cp, vStride]);
      split('wino_dy_transform', images, 1, (i, n) => [dyFirst + i * imageBytes.dy, wAt + i * imageBytes.w, n, tilesH, tilesW, outHeight, outWidth, outChannels, coP, wStride]);
      // Each thread owns a run of M's column panels: every element is summed in the same order as on one thread.
      // Pairs of panels are 64 bytes, a cache line, so two threads never write the same line of M.
      split('wino_gemm_tn', panels, 2, (j, n) => [vAt, wAt, mAt, rows, cp, coP, j, j + n, vStride, wStride, mStride, block, 16]);
    }
    kernels.wino_filter_output_transform(mAt, heapOffset(backend, dg), inChannels, outChannels, coP, mStride);
  } finally {
    disposeInfos(backend, padded, v, w, m);
  }
  return dg;
}
