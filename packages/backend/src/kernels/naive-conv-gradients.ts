import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import { asFloat32, type WasmBackendLike } from './wasm-kernel-utils';

/*
 * Direct loops over the definition of the convolution gradients. They are slow, but they are correct for every
 * stride, dilation, padding and channel multiplier, so the fast compositions can hand anything unusual to them.
 * Layout is NHWC; for depthwise convolutions the filter is [KH, KW, C, multiplier].
 */

export function naiveConvBackpropFilter(
  backend: WasmBackendLike,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
  depthwise: boolean,
): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const multiplier = depthwise ? outChannels / inChannels : 1;
  const filterShape = depthwise
    ? [filterHeight, filterWidth, inChannels, multiplier]
    : [filterHeight, filterWidth, inChannels, outChannels];
  const out = backend.makeOutput(filterShape, 'float32');
  const dw = asFloat32(backend, out);
  const xv = asFloat32(backend, x);
  const dyv = asFloat32(backend, dy);
  dw.fill(0);
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      for (let n = 0; n < batchSize; n++) {
        for (let oh = 0; oh < outHeight; oh++) {
          const ih = oh * strideHeight + kh * dilationHeight - top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let ow = 0; ow < outWidth; ow++) {
            const iw = ow * strideWidth + kw * dilationWidth - left;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((n * inHeight + ih) * inWidth + iw) * inChannels;
            const dyBase = ((n * outHeight + oh) * outWidth + ow) * outChannels;
            if (depthwise) {
              const wBase = (kh * filterWidth + kw) * inChannels * multiplier;
              for (let c = 0; c < inChannels; c++) {
                const xval = xv[xBase + c];
                for (let m = 0; m < multiplier; m++) {
                  dw[wBase + c * multiplier + m] += xval * dyv[dyBase + c * multiplier + m];
                }
              }
            } else {
              const wBase = (kh * filterWidth + kw) * inChannels * outChannels;
              for (let ci = 0; ci < inChannels; ci++) {
                const xval = xv[xBase + ci];
                const row = wBase + ci * outChannels;
                for (let co = 0; co < outChannels; co++) dw[row + co] += xval * dyv[dyBase + co];
              }
            }
          }
        }
      }
    }
  }
  return out;
}

export function naiveConvBackpropInput(
  backend: WasmBackendLike,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  depthwise: boolean,
): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const multiplier = depthwise ? outChannels / inChannels : 1;
  const out = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32');
  const dx = asFloat32(backend, out);
  const wv = asFloat32(backend, filter);
  const dyv = asFloat32(backend, dy);
  dx.fill(0);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyBase = ((n * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight + kh * dilationHeight - top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw * dilationWidth - left;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((n * inHeight + ih) * inWidth + iw) * inChannels;
            if (depthwise) {
              const wBase = (kh * filterWidth + kw) * inChannels * multiplier;
              for (let c = 0; c < inChannels; c++) {
                let acc = 0;
                for (let m = 0; m < multiplier; m++) acc += wv[wBase + c * multiplier + m] * dyv[dyBase + c * multiplier + m];
                dx[xBase + c] += acc;
              }
            } else {
              const wBase = (kh * filterWidth + kw) * inChannels * outChannels;
              for (let ci = 0; ci < inChannels; ci++) {
                const row = wBase + ci * outChannels;
                let acc = 0;
                for (let co = 0; co < outChannels; co++) acc += wv[row + co] * dyv[dyBase + co];
                dx[xBase + ci] += acc;
              }
            }
          }
        }
      }
    }
  }
  return out;
}
