import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asFloat32, type WasmBackendLike } from './wasm-kernel-utils';
import { heapOffset, wasmKernels } from './wasm-kernels';

/*
 * The wasm build's MaxPoolGrad searches, for every input pixel, all outputs whose window covers it. Going the
 * other way, once per output window, finds each window's arg-max a single time and adds dy there. Ties go to the
 * first maximum in row-major window order, as in the cpu backend. Our SIMD `max_pool_grad` compares four channels
 * at a time without branches (ResNet18's 3x3 stride-2 pool at batch 16: see the README); the loops below are the
 * path for an engine where the module cannot bind.
 */

type Shape4 = [number, number, number, number];

export function makeMaxPoolGradConfig(original: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as WasmBackendLike;
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as {
      filterSize: number | [number, number];
      strides: number | [number, number];
      pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const info = backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
    const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
    const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
    if (input.dtype !== 'float32' || dy.dtype !== 'float32') {
      if (original == null) throw new Error('MaxPoolGrad: only float32 is supported by the wasm training kernels');
      return original.kernelFunc(args);
    }
    const { top, left } = info.padInfo;
    const out = backend.makeOutput(input.shape, 'float32');
    const kernels = wasmKernels(backend);
    if (kernels != null) {
      kernels.max_pool_grad(
        heapOffset(backend, input), heapOffset(backend, dy), heapOffset(backend, out),
        batchSize, inHeight, inWidth, c, outHeight, outWidth,
        filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, top, left);
      return out;
    }
    const dx = asFloat32(backend, out);
    const xv = asFloat32(backend, input);
    const dyv = asFloat32(backend, dy);
    dx.fill(0);
    const plainTwoByTwo =
      filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2 &&
      dilationHeight === 1 && dilationWidth === 1 && top === 0 && left === 0 &&
      2 * outHeight <= inHeight && 2 * outWidth <= inWidth;
    if (plainTwoByTwo) {
      maxPoolGrad2x2(dx, xv, dyv, batchSize, inHeight, inWidth, c, outHeight, outWidth);
      return out;
    }
    const best = new Float32Array(c);
    const bestAt = new Int32Array(c);
    for (let n = 0; n < batchSize; n++) {
      for (let oh = 0; oh < outHeight; oh++) {
        const hStart = oh * strideHeight - top;
        for (let ow = 0; ow < outWidth; ow++) {
          const wStart = ow * strideWidth - left;
          best.fill(-Infinity);
          bestAt.fill(-1);
          for (let kh = 0; kh < filterHeight; kh++) {
            const ih = hStart + kh * dilationHeight;
            if (ih < 0 || ih >= inHeight) continue;
            for (let kw = 0; kw < filterWidth; kw++) {
              const iw = wStart + kw * dilationWidth;
              if (iw < 0 || iw >= inWidth) continue;
              const base = ((n * inHeight + ih) * inWidth + iw) * c;
              for (let k = 0; k < c; k++) {
                const v = xv[base + k]!;
                if (v > best[k]!) {
                  best[k] = v;
                  bestAt[k] = base + k;
                }
              }
            }
          }
          const dyBase = ((n * outHeight + oh) * outWidth + ow) * c;
          for (let k = 0; k < c; k++) {
            const at = bestAt[k]!;
            if (at >= 0) dx[at] += dyv[dyBase + k]!;
          }
        }
      }
    }
    return out;
  };
  return { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}

/**
 * The common 2x2 pool with stride 2 and every window inside the image (the custom CNN's): the four taps
 * compared in registers instead of through per-channel arrays, with the same order and strict comparison as
 * the general loop, so ties still go to the first maximum in row-major order and NaN never wins.
 */
function maxPoolGrad2x2(
  dx: Float32Array,
  xv: Float32Array,
  dyv: Float32Array,
  batchSize: number,
  inHeight: number,
  inWidth: number,
  c: number,
  outHeight: number,
  outWidth: number,
): void {
  const rowStride = inWidth * c;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const topLeft = ((n * inHeight + 2 * oh) * inWidth + 2 * ow) * c;
        const dyBase = ((n * outHeight + oh) * outWidth + ow) * c;
        for (let k = 0; k < c; k++) {
          const i00 = topLeft + k;
          const i01 = i00 + c;
          const i10 = i00 + rowStride;
          const i11 = i10 + c;
          let best = -Infinity;
          let at = -1;
          if (xv[i00]! > best) {
            best = xv[i00]!;
            at = i00;
          }
          if (xv[i01]! > best) {
            best = xv[i01]!;
            at = i01;
          }
          if (xv[i10]! > best) {
            best = xv[i10]!;
            at = i10;
          }
          if (xv[i11]! > best) at = i11;
          if (at >= 0) dx[at] += dyv[dyBase + k]!;
        }
      }
    }
  }
}
