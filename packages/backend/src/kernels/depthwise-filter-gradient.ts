import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { asFloat32, disposeInfos, type WasmBackendLike } from './wasm-kernel-utils';
import { float64Scratch, heapOffset, wasmKernels } from './wasm-kernels';

/*
 * Depthwise filter gradient, multiplier 1: dW[kh, kw, c] = Σ x[n, ih, iw, c] · dy[n, oh, ow, c]. Expressed as a
 * convolution it needs a depthwise kernel as large as dy's spatial extent, which XNNPACK runs at about
 * 0.1 GFLOP/s; a direct loop that walks both tensors along the contiguous channel axis is far faster: our SIMD
 * `depthwise_filter_grad` (float32 within an output row, float64 across rows), or JavaScript in float64 without it.
 * Both stay close to the cpu backend's float64 sums.
 */
export function depthwiseFilterGradientDirect(
  backend: WasmBackendLike,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const kernels = wasmKernels(backend);
  if (kernels != null) {
    const out = backend.makeOutput([filterHeight, filterWidth, c, 1], 'float32');
    const acc = float64Scratch(backend, filterHeight * filterWidth * c);
    kernels.depthwise_filter_grad(
      heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, acc), heapOffset(backend, out),
      batchSize, inHeight, inWidth, c, outHeight, outWidth,
      filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, top, left);
    disposeInfos(backend, acc);
    return out;
  }
  const xv = asFloat32(backend, x);
  const dyv = asFloat32(backend, dy);
  const acc = new Float64Array(filterHeight * filterWidth * c);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyBase = ((n * outHeight + oh) * outWidth + ow) * c;
        for (let a = 0; a < filterHeight; a++) {
          const ih = oh * strideHeight + a * dilationHeight - top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let b = 0; b < filterWidth; b++) {
            const iw = ow * strideWidth + b * dilationWidth - left;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((n * inHeight + ih) * inWidth + iw) * c;
            const accBase = (a * filterWidth + b) * c;
            for (let k = 0; k < c; k++) acc[accBase + k] += xv[xBase + k]! * dyv[dyBase + k]!;
          }
        }
      }
    }
  }
  const out = backend.makeOutput([filterHeight, filterWidth, c, 1], 'float32');
  asFloat32(backend, out).set(acc);
  return out;
}
