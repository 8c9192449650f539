import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { winogradApplies, winogradPays } from './winograd-choice';
import { winogradConv3x3, winogradKernels } from './winograd-conv';
import type { WasmBackendLike } from './wasm-kernel-utils';

/*
 * The forward convolution: stride-1 3x3 convolutions by Winograd F(2x2, 3x3) on our SIMD module where that
 * measures faster (winograd-choice.ts), everything else on the wasm build's XNNPACK kernel. tfjs-layers' Conv2D
 * layer reaches `FusedConv2D` (no bias, linear activation in ResNet18's convolutions before a batch norm), tf.conv2d
 * reaches `Conv2D`; both are replaced.
 */

type Shape4 = [number, number, number, number];

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

/** The Winograd result for this convolution, or null when the original kernel should run. */
function winogradForward(backend: WasmBackendLike, x: TensorInfo, filter: TensorInfo, attrs: ConvAttrs): TensorInfo | null {
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || filter.shape.length !== 4) return null;
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC');
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4, filter.shape as Shape4, attrs.strides, attrs.dilations ?? 1, attrs.pad,
    attrs.dimRoundingMode, false, format);
  if (!winogradApplies(info)) return null;
  if (!winogradPays(backend, info.outHeight, info.outWidth, info.inChannels)) return null;
  const kernels = winogradKernels(backend);
  if (kernels == null) return null;
  return winogradConv3x3(backend, kernels, x, filter, {
    top: info.padInfo.top,
    left: info.padInfo.left,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
  });
}

/** The wasm build's kernel, for every convolution the Winograd path does not take. */
function fallback(original: KernelConfig | undefined, name: string): KernelFunc {
  return (args) => {
    if (original == null) throw new Error(`${name}: the wasm build has no ${name} kernel for this convolution`);
    return original.kernelFunc(args);
  };
}

/** `Conv2D` for wasm: Winograd where it pays, else the wasm build's kernel. */
export function makeConv2DConfig(original: KernelConfig | undefined): KernelConfig {
  const other = fallback(original, 'Conv2D');
  const kernelFunc: KernelFunc = (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const y = winogradForward(args.backend as WasmBackendLike, x, filter, args.attrs as unknown as ConvAttrs);
    return y ?? other(args);
  };
  return { kernelName: 'Conv2D', backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}

/** `FusedConv2D` for wasm: without bias, PReLU weights or activation, as `Conv2D`; otherwise the wasm build's kernel. */
export function makeFusedConv2DConfig(original: KernelConfig | undefined): KernelConfig {
  const other = fallback(original, 'FusedConv2D');
  const kernelFunc: KernelFunc = (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs;
    const plain = bias == null && preluActivationWeights == null && (attrs.activation ?? 'linear') === 'linear';
    const y = plain ? winogradForward(args.backend as WasmBackendLike, x!, filter!, attrs) : null;
    return y ?? other(args);
  };
  return { kernelName: 'FusedConv2D', backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}
