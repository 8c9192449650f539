import { util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asFloat32, disposeInfos, reshape, runWasmKernel, type WasmBackendLike } from './wasm-kernel-utils';

/*
 * tfjs-layers writes ReLU6 as minimum(6, relu(x)), and the wasm build's Minimum with a scalar runs a generic
 * broadcasting loop: 46 ms on 4.8M elements, where its ClipByValue (XNNPACK) takes 1.5 ms. In MobileNetV2's
 * inference it was 29 % of the time. minimum(x, s) is clip(x, −∞, s) and maximum(x, s) is clip(x, s, +∞) for
 * every x but NaN: clipping turns NaN into −∞ where Math.min (the cpu backend) keeps it. So the tensor is first
 * summed (2.4 ms; NaN anywhere makes the sum NaN), and a NaN sum, a zero scalar (±0 ordering) or any other
 * shape goes to the wasm build's kernel. A NaN scalar gives NaN everywhere, as on cpu.
 */

function makeScalarClamp(kernelName: 'Minimum' | 'Maximum', original: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as WasmBackendLike;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const aSize = util.sizeFromShape(a.shape);
    const bSize = util.sizeFromShape(b.shape);
    // The tensor side and the single value; the output keeps the tensor's shape when the scalar's rank is not higher.
    const [x, s] = bSize === 1 && aSize > 1 ? [a, b] : aSize === 1 && bSize > 1 ? [b, a] : [null, null];
    const usable = x != null && s != null && x.dtype === 'float32' && s.dtype === 'float32' && s.shape.length <= x.shape.length;
    const value = usable ? asFloat32(backend, s)[0]! : NaN;
    const fallback = () => {
      if (original == null) throw new Error(`${kernelName}: unsupported inputs for the wasm training kernels`);
      return original.kernelFunc(args);
    };
    if (!usable || value === 0) return fallback();
    if (Number.isNaN(value)) {
      // Math.min / Math.max with NaN is NaN whatever the other side (the wasm build's kernel answers otherwise).
      const out = backend.makeOutput(x.shape, 'float32');
      asFloat32(backend, out).fill(NaN);
      return out;
    }
    const flat = reshape(backend, x, [aSize === 1 ? bSize : aSize]);
    const total = runWasmKernel(backend, 'Sum', { x: flat }, { axis: [0], keepDims: false });
    const hasNaN = Number.isNaN(asFloat32(backend, total)[0]!);
    disposeInfos(backend, flat, total);
    if (hasNaN) return fallback();
    const [clipValueMin, clipValueMax] = kernelName === 'Minimum' ? [-Infinity, value] : [value, Infinity];
    return runWasmKernel(backend, 'ClipByValue', { x }, { clipValueMin, clipValueMax });
  };
  return { kernelName, backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}

export const makeMinimumConfig = (original: KernelConfig | undefined): KernelConfig => makeScalarClamp('Minimum', original);
export const makeMaximumConfig = (original: KernelConfig | undefined): KernelConfig => makeScalarClamp('Maximum', original);
