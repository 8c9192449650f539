import type { backend_util, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { getKernel } from '@tensorflow/tfjs-core';
import { transposeOnHeap } from './transpose';
import { asFloat32, disposeInfos, reshape, type WasmBackendLike } from './wasm-kernel-utils';
import { heapOffset, wasmKernels } from './wasm-kernels';

/*
 * dW = colsᵀ · dy, with colsᵀ[(kh, kw, ci), (n, oh, ow)] = x[n, oh·s + kh·d - pad, ow·s + kw·d - pad, ci]: one
 * XNNPACK matrix multiply of [KH·KW·Ci, P] by dy viewed as [P, Co] (P = N·OH·OW), whose result already has the
 * filter's [KH, KW, Ci, Co] layout. colsᵀ is built row by row from x transposed to [Ci, N, H, W], so each row of it
 * is a run of contiguous copies (our `filter_gradient_columns`, or JavaScript without it). Images are processed in
 * chunks so colsᵀ stays below about 128 MiB.
 */

let chunkElements = 32 * 2 ** 20;

/** Test hook: a small budget makes tiny shapes take the multi-chunk path. Returns the previous budget. */
export function setColumnBufferElements(elements: number): number {
  const previous = chunkElements;
  chunkElements = elements;
  return previous;
}

// BatchMatMul is looked up as the wasm build registered it, so our transposing wrapper is not in the way.
let plainMatMul: KernelConfig | undefined;
export function rememberPlainMatMul(config: KernelConfig | undefined): void {
  plainMatMul ??= config;
}

function matMul(backend: WasmBackendLike, a: TensorInfo, b: TensorInfo): TensorInfo {
  const kernel = plainMatMul ?? getKernel('BatchMatMul', 'wasm');
  if (kernel == null) throw new Error('registerWasmTrainingKernels: no BatchMatMul kernel for wasm');
  return kernel.kernelFunc({ inputs: { a, b }, attrs: { transposeA: false, transposeB: false }, backend }) as TensorInfo;
}

export function convFilterGradientGemm(
  backend: WasmBackendLike,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const rows = kh * kw * ci;
  const perImage = oh * ow;
  const chunk = Math.max(1, Math.min(batchSize, Math.floor(chunkElements / (rows * perImage))));

  // x as [Ci, N, H, W]
  const xT = backend.makeOutput([ci, batchSize, h, w], 'float32');
  transposeOnHeap(backend, x, xT, 1, batchSize * h * w, ci);

  // A pointwise convolution's columns are x itself: xT already is [Ci, N·H·W].
  const pointwise = kh === 1 && kw === 1 && top === 0 && left === 0 && oh === h && ow === w;
  if (pointwise) {
    const cols = reshape(backend, xT, [1, ci, batchSize * perImage]);
    const dyAll = reshape(backend, dy, [1, batchSize * perImage, co]);
    const product = matMul(backend, cols, dyAll);
    const out = reshape(backend, product, [kh, kw, ci, co]);
    disposeInfos(backend, cols, dyAll, xT, product);
    return out;
  }

  const result = backend.makeOutput([kh, kw, ci, co], 'float32');
  const kernels = wasmKernels(backend);
  for (let n0 = 0; n0 < batchSize; n0 += chunk) {
    const n = Math.min(chunk, batchSize - n0);
    const p = n * perImage;
    const cols = backend.makeOutput([1, rows, p], 'float32');
    // the whole batch at once: dy already is [P, Co] in memory, no copy needed
    const dyChunk = n === batchSize ? reshape(backend, dy, [1, p, co]) : backend.makeOutput([1, p, co], 'float32');
    if (kernels != null) {
      kernels.filter_gradient_columns(
        heapOffset(backend, xT), heapOffset(backend, cols), n0, n, batchSize, h, w, ci, oh, ow, kh, kw, sh, sw, dh, dw, top, left);
    } else {
      const src = asFloat32(backend, xT);
      const dst = asFloat32(backend, cols);
      for (let a = 0; a < kh; a++) {
        for (let b = 0; b < kw; b++) {
          // output columns whose input column is inside the image: ow in [lo, hi)
          const offW = b * dw - left;
          const lo = Math.min(ow, Math.max(0, Math.ceil(-offW / sw)));
          const hi = Math.max(lo, Math.min(ow, Math.floor((w - 1 - offW) / sw) + 1));
          for (let c = 0; c < ci; c++) {
            let d = ((a * kw + b) * ci + c) * p;
            for (let img = 0; img < n; img++) {
              const plane = (c * batchSize + n0 + img) * h;
              for (let r = 0; r < oh; r++, d += ow) {
                const ih = r * sh + a * dh - top;
                if (ih < 0 || ih >= h) {
                  dst.fill(0, d, d + ow);
                  continue;
                }
                const rowStart = (plane + ih) * w;
                if (lo > 0) dst.fill(0, d, d + lo);
                if (hi < ow) dst.fill(0, d + hi, d + ow);
                if (sw === 1) {
                  const s0 = rowStart + lo + offW;
                  dst.set(src.subarray(s0, s0 + hi - lo), d + lo);
                } else {
                  for (let q = lo; q < hi; q++) dst[d + q] = src[rowStart + q * sw + offW]!;
                }
              }
            }
          }
        }
      }
    }
    if (n !== batchSize) {
      const dyv = asFloat32(backend, dy);
      asFloat32(backend, dyChunk).set(dyv.subarray(n0 * perImage * co, (n0 + n) * perImage * co));
    }
    const part = matMul(backend, cols, dyChunk);
    disposeInfos(backend, cols, dyChunk);
    const acc = asFloat32(backend, result);
    const pv = asFloat32(backend, part);
    if (n0 === 0) acc.set(pv);
    else for (let i = 0; i < acc.length; i++) acc[i] += pv[i]!;
    disposeInfos(backend, part);
  }
  disposeInfos(backend, xT);
  return result;
}
