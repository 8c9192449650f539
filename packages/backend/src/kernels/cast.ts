import { util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { reshape, type WasmBackendLike } from './wasm-kernel-utils';
import { heapOffset, wasmKernels } from './wasm-kernels';

/*
 * The wasm build's Cast copies with a typed-array `set`, which converts element by element in JavaScript, and copies
 * even when the dtype does not change. Gradients cast often: every ReLU and comparison mask is a bool or float32
 * tensor cast to float32 (191 casts in a MobileNetV2 step). A cast to the same dtype now shares the input's buffer,
 * as the cpu backend's does, and bool or int32 to float32 converts with SIMD.
 */
export function makeCastConfig(original: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as WasmBackendLike;
    const { x } = args.inputs as { x: TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: TensorInfo['dtype'] };
    if (dtype === x.dtype && dtype !== 'string') return reshape(backend, x, x.shape);
    const kernels = dtype === 'float32' ? wasmKernels(backend) : null;
    if (kernels != null && (x.dtype === 'bool' || x.dtype === 'int32')) {
      const out = backend.makeOutput(x.shape, 'float32');
      const n = util.sizeFromShape(x.shape);
      const convert = x.dtype === 'bool' ? kernels.cast_u8_to_f32 : kernels.cast_i32_to_f32;
      convert(heapOffset(backend, x), heapOffset(backend, out), n);
      return out;
    }
    if (original == null) throw new Error(`Cast: the wasm build has no Cast kernel for ${x.dtype} to ${dtype}`);
    return original.kernelFunc(args);
  };
  return { kernelName: 'Cast', backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}
