import type { TensorInfo } from '@tensorflow/tfjs-core';
import { convKernels, convKernelWorkers, type ConvKernelExports } from './conv-kernels';
import type { KernelWorkers } from './kernel-workers';
import { disposeInfos, transpose, type WasmBackendLike } from './wasm-kernel-utils';
import { heapOffset } from './wasm-kernels';

/*
 * Stride-1 3x3 convolutions by Winograd's F(2x2, 3x3): each 2x2 block of outputs comes from a 4x4 input tile, and
 * the 9 taps x 4 outputs = 36 multiplications per channel pair become 16, as 16 independent matrix products
 * [tiles x Ci] x [Ci x Co] (see wasm/conv-kernels.wat). The input is first copied into a zero-padded buffer, so
 * the tile transforms need no border tests; the batch is processed a few images at a time so that the transformed
 * input and output (each about 4x the size of the tensor they come from) stay within a bounded scratch space.
 */

/** The geometry a Winograd convolution accepts: 3x3 filter, stride 1, dilation 1. */
export interface WinogradGeometry {
  /** Zero rows above / columns left of the input (the rows below and right follow from the output size). */
  top: number;
  left: number;
  outHeight: number;
  outWidth: number;
}

// Scratch (padded input, transformed input and output) per chunk of images; ResNet18's 56x56x64 layer needs about
// 7 MiB per image, so a chunk is 9 images there.
let scratchBytes = 64 * 1024 * 1024;

/** Test hook: the scratch budget per chunk of images (at least one image per chunk). Returns the previous one. */
export function setWinogradScratchBytes(bytes: number): number {
  const previous = scratchBytes;
  scratchBytes = bytes;
  return previous;
}

export const roundUp = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;

/**
 * Bytes between consecutive matrices of the 16. The transforms read or write all 16 at once, and at a multiple of
 * 4 KiB apart (ResNet18's sizes all are) their addresses share L1 cache sets and evict each other: the input
 * transform of the 56x56x64 layer took 9.4 ms, 5x its output transform. Padding each matrix to 4 KiB plus 17 lines
 * puts the 16 streams in 16 different sets.
 */
export function matrixStride(bytes: number): number {
  return roundUp(bytes, 4096) + 17 * 64;
}

let calls = 0;

/** Test hook: how many convolutions have run on this path in this process. */
export function winogradCallCount(): number {
  return calls;
}

/** Returns the Winograd kernels when they are bound to this backend, null otherwise (the caller keeps its path). */
export function winogradKernels(backend: WasmBackendLike): ConvKernelExports | null {
  return convKernels(backend);
}

/**
 * y [N, OH, OW, Co] = x [N, H, W, Ci] convolved with a [3, 3, Ci, Co] filter (stride 1, `geometry`'s padding).
 * With `rotated`, the filter is instead used rotated by 180° with its channel axes swapped: x then has Co
 * channels and y Ci, which is the input gradient of the convolution the filter belongs to.
 */
export function winogradConv3x3(
  backend: WasmBackendLike,
  kernels: ConvKernelExports,
  x: TensorInfo,
  filter: TensorInfo,
  geometry: WinogradGeometry,
  rotated = false,
): TensorInfo {
  if (x.shape.length !== 4 || filter.shape.length !== 4) {
    throw new Error(`winogradConv3x3: expected NHWC input and a 4-D filter, got [${x.shape}] and [${filter.shape}]`);
  }
  const [batch, height, width, inChannels] = x.shape as [number, number, number, number];
  const [kh, kw, filterIn, filterOut] = filter.shape as [number, number, number, number];
  const outChannels = rotated ? filterIn : filterOut;
  if (kh !== 3 || kw !== 3 || (rotated ? filterOut : filterIn) !== inChannels) {
    throw new Error(`winogradConv3x3: filter [${filter.shape}] does not fit input [${x.shape}] (3x3, rotated ${rotated})`);
  }
  if (x.dtype !== 'float32' || filter.dtype !== 'float32') {
    throw new Error(`winogradConv3x3: float32 only (got ${x.dtype}, ${filter.dtype})`);
  }
  const { top, left, outHeight, outWidth } = geometry;
  if (top < 0 || left < 0 || outHeight < 1 || outWidth < 1) {
    throw new Error(`winogradConv3x3: invalid geometry ${JSON.stringify(geometry)}`);
  }
  calls++;
  const tilesH = Math.ceil(outHeight / 2);
  const tilesW = Math.ceil(outWidth / 2);
  // Padded input: tile rows 2t..2t+3 for every tile, and every input row at its place after `top`.
  const hp = Math.max(2 * tilesH + 2, top + height);
  const wp = Math.max(2 * tilesW + 2, left + width);
  const cp = roundUp(inChannels, 4);
  const panels = Math.ceil(outChannels / 8);

  const y = backend.makeOutput([batch, outHeight, outWidth, outChannels], 'float32');
  const uStride = matrixStride(4 * panels * cp * 8);
  const u = backend.makeOutput([4 * uStride], 'float32');
  // The rotated filter's channel swap: [3, 3, Ci, Co] -> [3, 3, Co, Ci] by our SIMD transpose; the tap order is
  // reversed by the transform itself.
  const source = rotated ? transpose(backend, filter, [0, 1, 3, 2]) : filter;
  kernels.wino_filter_transform(heapOffset(backend, source), heapOffset(backend, u), inChannels, outChannels, cp, rotated ? 1 : 0, uStride);
  if (rotated) disposeInfos(backend, source);

  const tilesPerImage = tilesH * tilesW;
  const bytesPerImage = 4 * (hp * wp * cp + 16 * tilesPerImage * (cp + 8 * panels));
  const chunk = Math.max(1, Math.min(batch, Math.floor(scratchBytes / bytesPerImage)));
  const rowsMax = roundUp(chunk * tilesPerImage, 4);
  const vStride = matrixStride(4 * rowsMax * cp);
  const mStride = matrixStride(4 * rowsMax * 8 * panels);
  const padded = backend.makeOutput([chunk * hp * wp * cp], 'float32');
  // makeOutput counts float32 elements: 16 matrices of `stride` bytes each
  const v = backend.makeOutput([4 * vStride], 'float32');
  const m = backend.makeOutput([4 * mStride], 'float32');
  try {
    const [xAt, yAt, pAt, vAt, mAt, uAt] = [x, y, padded, v, m, u].map((t) => heapOffset(backend, t)) as [
      number, number, number, number, number, number,
    ];
    const pool = convKernelWorkers(backend);
    // Each call's share is a run of images (or of product rows, in multiples of the micro-kernel's 4), so the
    // threads write disjoint parts of the buffers.
    const split = <K extends keyof ConvKernelExports>(fn: K, total: number, multiple: number, argsOf: (start: number, count: number) => number[]) =>
      runSplit(kernels, pool, fn, total, multiple, argsOf);
    const imageBytes = { x: 4 * height * width * inChannels, p: 4 * hp * wp * cp, v: 4 * tilesPerImage * cp, m: 4 * tilesPerImage * 8 * panels, y: 4 * outHeight * outWidth * outChannels };
    for (let first = 0; first < batch; first += chunk) {
      const images = Math.min(chunk, batch - first);
      // Rows past the last tile are never initialised: each row of a product depends on its own row only.
      const rows = roundUp(images * tilesPerImage, 4);
      const xFirst = xAt + first * imageBytes.x;
      const yFirst = yAt + first * imageBytes.y;
      split('wino_pad_input', images, 1, (i, n) => [xFirst + i * imageBytes.x, pAt + i * imageBytes.p, n, height, width, inChannels, hp, wp, cp, top, left]);
      split('wino_input_transform', images, 1, (i, n) => [pAt + i * imageBytes.p, vAt + i * imageBytes.v, n, tilesH, tilesW, hp, wp, cp, vStride]);
      split('wino_gemm', rows, 4, (r, n) => [vAt + 4 * r * cp, uAt, mAt + 4 * r * 8 * panels, n, cp, panels, vStride, uStride, mStride]);
      split('wino_output_transform', images, 1, (i, n) => [mAt + i * imageBytes.m, yFirst + i * imageBytes.y, n, tilesH, tilesW, outHeight, outWidth, outChannels, panels, mStride]);
    }
  } finally {
    disposeInfos(backend, u, padded, v, m);
  }
  return y;
}

/**
 * Calls `fn` over `total` items: on the calling thread alone, or as runs of whole multiples of `multiple`, one per
 * thread of `pool` (a run's arguments from `argsOf(start, count)`), when there is enough to share.
 */
export function runSplit<K extends keyof ConvKernelExports>(
  kernels: ConvKernelExports,
  pool: KernelWorkers | null,
  fn: K,
  total: number,
  multiple: number,
  argsOf: (start: number, count: number) => number[],
): void {
  const parts = pool ? splitRange(total, pool.threads, multiple) : [[0, total] as const];
  if (parts.length === 1) (kernels[fn] as (...args: number[]) => void)(...argsOf(0, total));
  else pool!.run(fn, parts.map(([start, count]) => argsOf(start, count)));
}

/**
 * `total` items in at most `parts` runs of whole multiples of `multiple` (the last takes the remainder), as
 * [start, count] pairs; fewer runs when there is too little to share.
 */
export function splitRange(total: number, parts: number, multiple: number): (readonly [number, number])[] {
  const units = Math.ceil(total / multiple);
  const runs = Math.max(1, Math.min(parts, units));
  const result: (readonly [number, number])[] = [];
  let start = 0;
  for (let k = 0; k < runs; k++) {
    const end = k === runs - 1 ? total : Math.min(total, Math.round(((k + 1) * units) / runs) * multiple);
    if (end > start) result.push([start, end - start]);
    start = end;
  }
  return result;
}
