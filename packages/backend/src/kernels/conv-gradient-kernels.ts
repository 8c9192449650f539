import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { depthwiseFilterGradientDirect } from './depthwise-filter-gradient';
import { convFilterGradientGemm } from './filter-gradient-gemm';
import { patchFilterGradient, patchFilterGradientApplies } from './patch-filter-gradient';
import { pointwiseFilterGradient, pointwiseFilterGradientApplies } from './pointwise-filter-gradient';
import { inputGradientByPhases, phasesSupported } from './input-gradient-by-phases';
import { naiveConvBackpropFilter, naiveConvBackpropInput } from './naive-conv-gradients';
import { disposeInfos, transpose, type WasmBackendLike } from './wasm-kernel-utils';
import { heapOffset, wasmKernels } from './wasm-kernels';
import { winogradApplies, winogradFilterGradientPays, winogradPays } from './winograd-choice';
import { winogradConv3x3, winogradKernels } from './winograd-conv';
import { winogradFilterGradient3x3 } from './winograd-filter-gradient';

type Pad = 'same' | 'valid' | number | backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;
type Shape4 = [number, number, number, number];

interface ConvGradAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: Pad;
  dimRoundingMode?: Rounding;
  dataFormat?: 'NHWC' | 'NCHW';
  filterShape?: Shape4;
  inputShape?: Shape4;
}

function toNhwc(backend: WasmBackendLike, t: TensorInfo, channelsFirst: boolean): TensorInfo {
  return channelsFirst ? transpose(backend, t, [0, 2, 3, 1]) : t;
}

/**
 * The filter gradient of a stride-1 3x3 convolution by Winograd (winograd-filter-gradient.ts) where that pays,
 * null otherwise (the caller keeps the column matrix multiply).
 */
function winogradFilterGradient(
  backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo,
): TensorInfo | null {
  if (!winogradApplies({ ...info, dataFormat: 'channelsLast' })) return null;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  if (!winogradFilterGradientPays(backend, info.outHeight, info.outWidth, info.inChannels, info.outChannels)) return null;
  const kernels = winogradKernels(backend);
  if (kernels == null) return null;
  const { top, left } = info.padInfo;
  return winogradFilterGradient3x3(backend, kernels, x, dy, { top, left, outHeight: info.outHeight, outWidth: info.outWidth });
}

/** The filter gradient of a pointwise convolution by our product (pointwise-filter-gradient.ts), null where it does not apply. */
function pointwiseGradient(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  if (!pointwiseFilterGradientApplies(x, dy, info)) return null;
  const kernels = winogradKernels(backend);
  return kernels == null ? null : pointwiseFilterGradient(backend, kernels, x, dy);
}

/** The filter gradient by the patch matrix and our product (patch-filter-gradient.ts), null where it does not apply. */
function patchGradient(backend: WasmBackendLike, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  if (!patchFilterGradientApplies(x, dy, info)) return null;
  const kernels = wasmKernels(backend);
  const conv = winogradKernels(backend);
  return kernels == null || conv == null ? null : patchFilterGradient(backend, kernels, conv, x, dy, info);
}

const conv2dBackpropFilter: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as WasmBackendLike;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as ConvGradAttrs;
  const format = backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC');
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4, a.filterShape!, a.strides, 1, a.pad, a.dimRoundingMode, false, format);
  const channelsFirst = format === 'channelsFirst';
  const xN = toNhwc(wasm, x, channelsFirst);
  const dyN = toNhwc(wasm, dy, channelsFirst);
  try {
    return (
      winogradFilterGradient(wasm, xN, dyN, info) ??
      pointwiseGradient(wasm, xN, dyN, info) ??
      patchGradient(wasm, xN, dyN, info) ??
      convFilterGradientGemm(wasm, xN, dyN, info)
    );
  } finally {
    if (channelsFirst) disposeInfos(wasm, xN, dyN);
  }
};

/**
 * The input gradient of a stride-1 3x3 convolution is the stride-1 convolution of dy with the filter rotated by
 * 180° and its channel axes swapped, padded by 2 - pad on each side: a Winograd convolution where that pays.
 */
function winogradInputGradient(
  backend: WasmBackendLike, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo,
): TensorInfo | null {
  const nhwc = { ...info, dataFormat: 'channelsLast' as const };
  if (!winogradApplies(nhwc) || info.padInfo.top > 2 || info.padInfo.left > 2) return null;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  if (!winogradPays(backend, info.inHeight, info.inWidth, info.outChannels)) return null;
  const kernels = winogradKernels(backend);
  if (kernels == null) return null;
  return winogradConv3x3(backend, kernels, dy, filter, {
    top: 2 - info.padInfo.top,
    left: 2 - info.padInfo.left,
    outHeight: info.inHeight,
    outWidth: info.inWidth,
  }, true);
}

const conv2dBackpropInput: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as WasmBackendLike;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as ConvGradAttrs;
  const format = backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC');
  const info = backend_util.computeConv2DInfo(
    a.inputShape!, filter.shape as Shape4, a.strides, 1, a.pad, a.dimRoundingMode, false, format);
  const channelsFirst = format === 'channelsFirst';
  const dyN = toNhwc(wasm, dy, channelsFirst);
  let dx: TensorInfo;
  try {
    const winograd = winogradInputGradient(wasm, dyN, filter, info);
    dx = winograd ?? (phasesSupported(info)
      ? inputGradientByPhases(wasm, dyN, filter, info, false)
      : naiveConvBackpropInput(wasm, dyN, filter, info, false));
  } finally {
    if (channelsFirst) disposeInfos(wasm, dyN);
  }
  if (!channelsFirst) return dx;
  const dxC = transpose(wasm, dx, [0, 3, 1, 2]);
  disposeInfos(wasm, dx);
  return dxC;
};

const depthwiseBackpropFilter: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as WasmBackendLike;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as ConvGradAttrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4, a.filterShape!, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
  return a.filterShape![3] === 1
    ? depthwiseFilterGradientDirect(wasm, x, dy, info)
    : naiveConvBackpropFilter(wasm, x, dy, info, true);
};

const depthwiseBackpropInput: KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as WasmBackendLike;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as ConvGradAttrs;
  const info = backend_util.computeConv2DInfo(
    a.inputShape!, filter.shape as Shape4, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
  // Strided: the phases' small sub-filters (2x2, 2x1, ...) run far below XNNPACK's 3x3 speed, so scatter directly.
  const kernels = info.strideHeight > 1 || info.strideWidth > 1 ? wasmKernels(wasm) : null;
  if (kernels != null && filter.shape[3] === 1 && dy.dtype === 'float32' && filter.dtype === 'float32') {
    const dx = wasm.makeOutput(a.inputShape!, 'float32');
    kernels.depthwise_input_grad(
      heapOffset(wasm, dy), heapOffset(wasm, filter), heapOffset(wasm, dx),
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
      info.padInfo.top, info.padInfo.left);
    return dx;
  }
  return filter.shape[3] === 1 && phasesSupported(info)
    ? inputGradientByPhases(wasm, dy, filter, info, true)
    : naiveConvBackpropInput(wasm, dy, filter, info, true);
};

export const convGradientKernelConfigs: KernelConfig[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter },
  { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInput },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseBackpropFilter },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseBackpropInput },
];
