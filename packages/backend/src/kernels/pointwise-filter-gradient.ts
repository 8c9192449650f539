import type { TensorInfo } from '@tensorflow/tfjs-core';
import { convKernelWorkers, type ConvKernelExports } from './conv-kernels';
import { asFloat32, type WasmBackendLike } from './wasm-kernel-utils';
import { heapOffset } from './wasm-kernels';
import { runSplit } from './winograd-conv';
import { rowBlock } from './winograd-filter-gradient';

/*
 * The filter gradient of a pointwise convolution (1x1, stride 1, no padding) is one product reducing over every
 * pixel: dW[ci, co] = Σ_p x[p, ci] · dy[p, co], with x [N·H·W, Ci] and dy [N·H·W, Co] exactly as NHWC lays them out,
 * and dW [1, 1, Ci, Co] laid out as the product. The column-matrix path (filter-gradient-gemm.ts) first transposes
 * x, then XNNPACK packs dy as a matrix multiply's weights on every call, two extra passes over the two largest
 * tensors; here the Winograd filter gradient's product `wino_gemm_tn`, with one matrix, reads both where they lie.
 * MobileNetV2 and EfficientNet-B3 are mostly pointwise convolutions. On the threaded build the columns of dW are
 * split between threads, so every element is summed in the same order as on one thread.
 */

let calls = 0;
let enabled = true;

/** Test hook: how many filter gradients have run on this path in this process. */
export function pointwiseFilterGradientCallCount(): number {
  return calls;
}

/** Test and benchmark hook: with `false` every pointwise filter gradient takes the column-matrix path. Returns the previous setting. */
export function setPointwiseFilterGradientEnabled(value: boolean): boolean {
  const previous = enabled;
  enabled = value;
  return previous;
}

/**
 * Whether `pointwiseFilterGradient` takes this convolution: float32, a 1x1 filter at stride 1 without padding (the
 * output has the input's size), channel counts the product's 4x8 blocks cover exactly (Ci a multiple of 4, Co of 8).
 */
export function pointwiseFilterGradientApplies(
  x: TensorInfo, dy: TensorInfo, info: { filterHeight: number; filterWidth: number; inHeight: number; inWidth: number; outHeight: number; outWidth: number; padInfo: { top: number; left: number } },
): boolean {
  const [, , , inChannels] = x.shape;
  const outChannels = dy.shape[3];
  return (
    enabled &&
    x.dtype === 'float32' && dy.dtype === 'float32' && x.shape.length === 4 && dy.shape.length === 4 &&
    info.filterHeight === 1 && info.filterWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 &&
    info.outHeight === info.inHeight && info.outWidth === info.inWidth &&
    inChannels !== undefined && outChannels !== undefined && inChannels % 4 === 0 && outChannels % 8 === 0 &&
    x.shape[0] === dy.shape[0] && x.shape[1] === dy.shape[1] && x.shape[2] === dy.shape[2]
  );
}

/** dW [1, 1, Ci, Co] of the pointwise convolution of x [N, H, W, Ci] giving dy [N, H, W, Co]; see `pointwiseFilterGradientApplies`. */
export function pointwiseFilterGradient(backend: WasmBackendLike, kernels: ConvKernelExports, x: TensorInfo, dy: TensorInfo): TensorInfo {
  const [batch, height, width, inChannels] = x.shape as [number, number, number, number];
  const outChannels = dy.shape[3]!;
  if (inChannels % 4 !== 0 || outChannels % 8 !== 0 || dy.shape[0] !== batch || dy.shape[1] !== height || dy.shape[2] !== width) {
    throw new Error(`pointwiseFilterGradient: x [${x.shape}] and dy [${dy.shape}] are not a pointwise convolution with Ci % 4 = 0, Co % 8 = 0`);
  }
  calls++;
  const dw = backend.makeOutput([1, 1, inChannels, outChannels], 'float32');
  // The product adds into dW, and a fresh heap block may hold anything.
  asFloat32(backend, dw).fill(0);
  const rows = batch * height * width;
  const panels = outChannels / 8;
  const [xAt, dyAt, dwAt] = [x, dy, dw].map((t) => heapOffset(backend, t)) as [number, number, number];
  const block = rowBlock(inChannels, outChannels);
  // Pairs of panels are 64 bytes, a cache line, so two threads never write the same line of dW.
  runSplit(kernels, convKernelWorkers(backend), 'wino_gemm_tn', panels, 2, (j, n) => [xAt, dyAt, dwAt, rows, inChannels, outChannels, j, j + n, 0, 0, 0, block, 1]);
  return dw;
}
