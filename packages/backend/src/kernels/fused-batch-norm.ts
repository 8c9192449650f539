import { util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asFloat32, disposeInfos, runWasmKernel, type WasmBackendLike } from './wasm-kernel-utils';
import { heapOffset, wasmKernels } from './wasm-kernels';

/*
 * The wasm build's FusedBatchNorm takes 17.6 ms on a [4, 112, 112, 96] activation, where one broadcasting Sub, Mul
 * or Add over the same tensor takes 1.4 ms (XNNPACK). Batch norm follows every convolution of the three large
 * models, so in MobileNetV2's inference it was 35 % of the time. Here it is (x − mean) · factor + offset with
 * factor = scale / sqrt(variance + ε) per channel, computed in float64 as the cpu backend does, then one pass of
 * our SIMD `batch_norm` (or, without it, three passes of the wasm build's broadcasting kernels, rounding alike).
 * Subtracting the mean first keeps the precision the cpu backend has when the mean is large against the spread.
 * Statistics that are not one value per channel of the last axis use the wasm build's kernel.
 */

export function makeFusedBatchNormConfig(original: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as WasmBackendLike;
    const { x, mean, variance, scale, offset } = args.inputs as Record<'x' | 'mean' | 'variance', TensorInfo> &
      Partial<Record<'scale' | 'offset', TensorInfo>>;
    const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
    const channels = x.shape[x.shape.length - 1] ?? 0;
    const perChannel = (t: TensorInfo | undefined) =>
      t == null || (t.dtype === 'float32' && util.sizeFromShape(t.shape) === channels && t.shape.length <= x.shape.length && t.shape.slice(0, -1).every((d) => d === 1));
    if (x.dtype !== 'float32' || x.shape.length < 1 || ![mean, variance, scale, offset].every(perChannel)) {
      if (original == null) throw new Error('FusedBatchNorm: unsupported inputs for the wasm training kernels');
      return original.kernelFunc(args);
    }
    const factor = backend.makeOutput([channels], 'float32');
    const factors = asFloat32(backend, factor);
    const variances = asFloat32(backend, variance);
    const scales = scale == null ? null : asFloat32(backend, scale);
    for (let c = 0; c < channels; c++) factors[c] = (scales == null ? 1 : scales[c]!) / Math.sqrt(variances[c]! + varianceEpsilon);
    const kernels = wasmKernels(backend);
    if (kernels != null && channels > 0) {
      const out = backend.makeOutput(x.shape, 'float32');
      const rows = util.sizeFromShape(x.shape) / channels;
      kernels.batch_norm(
        heapOffset(backend, x), heapOffset(backend, out), heapOffset(backend, mean), heapOffset(backend, factor),
        offset == null ? 0 : heapOffset(backend, offset), offset == null ? 0 : 1, rows, channels);
      disposeInfos(backend, factor);
      return out;
    }
    const flat = (t: TensorInfo): TensorInfo => ({ ...t, shape: [channels] });
    const centered = runWasmKernel(backend, 'Sub', { a: x, b: flat(mean) });
    const scaled = runWasmKernel(backend, 'Multiply', { a: centered, b: factor });
    disposeInfos(backend, centered, factor);
    if (offset == null) return scaled;
    const out = runWasmKernel(backend, 'Add', { a: scaled, b: flat(offset) });
    disposeInfos(backend, scaled);
    return out;
  };
  return { kernelName: 'FusedBatchNorm', backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}
