import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { convKernelWorkers, type ConvKernelExports } from './conv-kernels';
import { asFloat32, disposeInfos, type WasmBackendLike } from './wasm-kernel-utils';
import { heapOffset, type WasmKernelExports } from './wasm-kernels';
import { runSplit } from './winograd-conv';
import { rowBlock } from './winograd-filter-gradient';

/*
 * The filter gradient of a convolution Winograd does not take (strided, 1x1 strided, 7x7 stems) as one product over
 * the pixels: dW[(a, b, ci), co] = Σ_p patch[p, (a, b, ci)] · dy[p, co], where row p of the patch matrix is the
 * input window of output pixel p (our `patch_rows`, the filter's [KH, KW, Ci] order, zero-padded to a multiple
 * of 4) and dy [P, Co] is read where it lies. The product is the Winograd filter gradient's `wino_gemm_tn`, blocked
 * over rows so that a block of both operands stays in cache while every 4x8 block of dW is computed from it. The
 * column path (filter-gradient-gemm.ts) handed XNNPACK the same product transposed, [KH·KW·Ci, P] by [P, Co]:
 * XNNPACK packs the whole of dy as weights, then streams the full length of both operands once per block of the
 * result, from memory (ResNet18's stem at batch 16: P = 200,704). On the threaded build dW's column panels are
 * split between threads, so every element is summed in the same order as on one thread.
 */

let calls = 0;
let enabled = true;
let bufferElements = 32 * 2 ** 20;

/** Test hook: how many filter gradients have run on this path in this process. */
export function patchFilterGradientCallCount(): number {
  return calls;
}

/** Test and benchmark hook: with `false` these filter gradients take the column path. Returns the previous setting. */
export function setPatchFilterGradientEnabled(value: boolean): boolean {
  const previous = enabled;
  enabled = value;
  return previous;
}

/** Test hook: a small budget for the patch matrix makes tiny shapes run image chunk by chunk. Returns the previous budget. */
export function setPatchBufferElements(elements: number): number {
  const previous = bufferElements;
  bufferElements = elements;
  return previous;
}

/** Whether `patchFilterGradient` takes this convolution: float32, and a multiple of 8 output channels (the product's panels). */
export function patchFilterGradientApplies(x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): boolean {
  return enabled && x.dtype === 'float32' && dy.dtype === 'float32' && info.outChannels % 8 === 0;
}

/** dW [KH, KW, Ci, Co] of the convolution `info` of x giving dy, both NHWC whatever `info.dataFormat` says; see `patchFilterGradientApplies`. */
export function patchFilterGradient(
  backend: WasmBackendLike,
  kernels: WasmKernelExports,
  conv: ConvKernelExports,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  if (co % 8 !== 0) throw new Error(`patchFilterGradient: ${co} output channels are not a multiple of 8`);
  calls++;
  const taps = kh * kw * ci;
  // The product's 4x8 blocks need a multiple of 4 rows of dW: the patch rows end in zeros, their products are dropped.
  const cp = Math.ceil(taps / 4) * 4;
  const perImage = oh * ow;
  const chunk = Math.max(1, Math.min(batchSize, Math.floor(bufferElements / (cp * perImage))));
  const dwOut = backend.makeOutput([kh, kw, ci, co], 'float32');
  const product = cp === taps ? dwOut : backend.makeOutput([cp, co], 'float32');
  // The product adds into it, and a fresh heap block may hold anything.
  asFloat32(backend, product).fill(0);
  const block = rowBlock(cp, co);
  const workers = convKernelWorkers(backend);
  for (let n0 = 0; n0 < batchSize; n0 += chunk) {
    const n = Math.min(chunk, batchSize - n0);
    const rows = n * perImage;
    const patch = backend.makeOutput([rows, cp], 'float32');
    const [xAt, patchAt, dyAt, productAt] = [x, patch, dy, product].map((t) => heapOffset(backend, t)) as [number, number, number, number];
    kernels.patch_rows(xAt, patchAt, n0, n, h, w, ci, oh, ow, kh, kw, sh, sw, dh, dw, info.padInfo.top, info.padInfo.left, cp);
    const dyChunk = dyAt + 4 * n0 * perImage * co;
    // Pairs of panels are 64 bytes, a cache line, so two threads never write the same line of dW.
    runSplit(conv, workers, 'wino_gemm_tn', co / 8, 2, (j, count) => [patchAt, dyChunk, productAt, rows, cp, co, j, j + count, 0, 0, 0, block, 1]);
    disposeInfos(backend, patch);
  }
  if (product !== dwOut) {
    asFloat32(backend, dwOut).set(asFloat32(backend, product).subarray(0, taps * co));
    disposeInfos(backend, product);
  }
  return dwOut;
}
