import { backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asFloat32, type WasmBackendLike } from './wasm-kernel-utils';

/*
 * Batch normalisation reduces [N, H, W, C] over N, H and W (its moments forward, four sums backward). The wasm
 * build first transposes the reduced axes innermost, a full copy of the activation, then reduces. When the reduced
 * axes are the leading ones, the rows can be accumulated in place instead; accumulating in float64 also matches
 * the cpu backend's reduction more closely than float32 would.
 */

function leadingCount(axes: number[]): number {
  const sorted = [...axes].sort((a, b) => a - b);
  return sorted.every((a, i) => a === i) ? sorted.length : -1;
}

function makeReduction(kernelName: 'Sum' | 'Mean', original: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as WasmBackendLike;
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const axes = util.parseAxisParam(axis, x.shape);
    const k = leadingCount(axes);
    if (x.dtype !== 'float32' || k < 1 || k === x.shape.length) {
      if (original == null) throw new Error(`${kernelName}: unsupported input for the wasm training kernels`);
      return original.kernelFunc(args);
    }
    const rows = util.sizeFromShape(x.shape.slice(0, k));
    const width = util.sizeFromShape(x.shape.slice(k));
    const reducedShape = x.shape.slice(k);
    const outShape = keepDims ? backend_util.expandShapeToKeepDim(reducedShape, axes) : reducedShape;
    const out = backend.makeOutput(outShape, 'float32');
    const xv = asFloat32(backend, x);
    const acc = new Float64Array(width);
    for (let r = 0; r < rows; r++) {
      const base = r * width;
      for (let j = 0; j < width; j++) acc[j] += xv[base + j]!;
    }
    const ov = asFloat32(backend, out);
    const scale = kernelName === 'Mean' && rows > 0 ? 1 / rows : 1;
    for (let j = 0; j < width; j++) ov[j] = acc[j]! * scale;
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}

export const makeSumConfig = (original: KernelConfig | undefined): KernelConfig => makeReduction('Sum', original);
export const makeMeanConfig = (original: KernelConfig | undefined): KernelConfig => makeReduction('Mean', original);
