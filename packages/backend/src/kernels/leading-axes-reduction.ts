import { backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asFloat32, disposeInfos, type WasmBackendLike } from './wasm-kernel-utils';
import { float64Scratch, heapOffset, wasmKernels } from './wasm-kernels';

/*
 * Batch normalisation reduces [N, H, W, C] over N, H and W (its moments forward, four sums backward), and global
 * average pooling (EfficientNet's squeeze-and-excitation) over H and W. The wasm build first transposes the reduced
 * axes innermost, a full copy of the activation, then reduces. When the reduced axes are consecutive and leave the
 * last axis, whole rows can be accumulated in place instead (our SIMD `sum_rows`, or JavaScript without it);
 * accumulating in float64 (after float32 blocks of 16 rows in SIMD) also matches the cpu backend's reduction more
 * closely than float32 would.
 */

/** The reduced axes as one consecutive block [first, end), or null when they are not consecutive. */
function consecutiveBlock(axes: number[]): { first: number; end: number } | null {
  const sorted = [...axes].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const first = sorted[0]!;
  return sorted.every((a, i) => a === first + i) ? { first, end: first + sorted.length } : null;
}

function makeReduction(kernelName: 'Sum' | 'Mean', original: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as WasmBackendLike;
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const axes = util.parseAxisParam(axis, x.shape);
    const block = consecutiveBlock(axes);
    // Handled: a consecutive block of axes that leaves the last axis, e.g. [0, 1, 2] (batch-norm moments) or
    // [1, 2] (global average pooling, squeeze-and-excitation). Reducing everything, or the last axis, is the wasm
    // build's job (it vectorises that case).
    if (x.dtype !== 'float32' || block == null || block.end === x.shape.length) {
      if (original == null) throw new Error(`${kernelName}: unsupported input for the wasm training kernels`);
      return original.kernelFunc(args);
    }
    const outer = util.sizeFromShape(x.shape.slice(0, block.first));
    const rows = util.sizeFromShape(x.shape.slice(block.first, block.end));
    const width = util.sizeFromShape(x.shape.slice(block.end));
    const reducedShape = [...x.shape.slice(0, block.first), ...x.shape.slice(block.end)];
    const outShape = keepDims ? backend_util.expandShapeToKeepDim(reducedShape, axes) : reducedShape;
    const out = backend.makeOutput(outShape, 'float32');
    const scale = kernelName === 'Mean' && rows > 0 ? 1 / rows : 1;
    const kernels = wasmKernels(backend);
    if (kernels != null) {
      const acc = float64Scratch(backend, width);
      kernels.sum_rows(heapOffset(backend, x), heapOffset(backend, out), heapOffset(backend, acc), outer, rows, width, scale);
      disposeInfos(backend, acc);
      return out;
    }
    const xv = asFloat32(backend, x);
    const ov = asFloat32(backend, out);
    const acc = new Float64Array(width);
    for (let o = 0; o < outer; o++) {
      acc.fill(0);
      const start = o * rows * width;
      for (let r = 0; r < rows; r++) {
        const base = start + r * width;
        for (let j = 0; j < width; j++) acc[j] += xv[base + j]!;
      }
      for (let j = 0; j < width; j++) ov[o * width + j] = acc[j]! * scale;
    }
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}

export const makeSumConfig = (original: KernelConfig | undefined): KernelConfig => makeReduction('Sum', original);
export const makeMeanConfig = (original: KernelConfig | undefined): KernelConfig => makeReduction('Mean', original);
