import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asFloat32, type WasmBackendLike } from './wasm-kernel-utils';

/*
 * The wasm build's MaxPoolGrad searches, for every input pixel, all outputs whose window covers it. Going the
 * other way, once per output window, finds each window's arg-max a single time and adds dy there. Ties go to the
 * first maximum in row-major window order, as in the cpu backend.
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
    const dx = asFloat32(backend, out);
    const xv = asFloat32(backend, input);
    const dyv = asFloat32(backend, dy);
    dx.fill(0);
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
