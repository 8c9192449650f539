import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import {
  asFloat32,
  disposeInfos,
  explicitPad,
  runWasmKernel,
  slice,
  type WasmBackendLike,
} from './wasm-kernel-utils';
import { heapOffset, wasmKernels } from './wasm-kernels';

/*
 * The input gradient of a convolution is a transposed convolution. Zero-upsampling dy by the stride and
 * convolving with the flipped filter would waste (stride² - 1) / stride² of the work on zeros, so the output is
 * split into stride² phases instead: the input rows with the same (row + pad) mod stride receive contributions
 * from the same subset of filter taps, and for each phase that is an ordinary stride-1 convolution of dy with the
 * flipped sub-filter. Every phase runs on the wasm backend's XNNPACK Conv2D (or depthwise) kernel; the phase
 * outputs are then interleaved into dx.
 */

interface AxisPhase {
  /** Filter tap used by sub-filter position j. */
  taps: number[];
  /** Rows of dy cut from the start/end (when the phase needs fewer rows than dy has). */
  cropStart: number;
  cropEnd: number;
  padStart: number;
  padEnd: number;
  dilation: number;
  /** Number of dx rows in this phase, and where the first one lands and the spacing. */
  count: number;
  firstIndex: number;
  step: number;
}

function planAxis(
  inSize: number,
  outSize: number,
  filterSize: number,
  stride: number,
  dilation: number,
  pad: number,
): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let phase = 0; phase < stride; phase++) {
    const tapCount = stride === 1 ? filterSize : Math.ceil((filterSize - phase) / stride);
    if (tapCount <= 0) continue;
    const taps: number[] = [];
    for (let j = 0; j < tapCount; j++) taps.push(stride === 1 ? filterSize - 1 - j : phase + (tapCount - 1 - j) * stride);
    // dx index i = q * stride + phase - pad for q in [qMin, qMax]
    const qMin = Math.ceil((pad - phase) / stride);
    const qMax = Math.floor((inSize - 1 + pad - phase) / stride);
    const count = qMax - qMin + 1;
    if (count <= 0) continue;
    const extent = (tapCount - 1) * dilation + 1;
    let padStart = extent - 1 - qMin;
    let cropStart = 0;
    if (padStart < 0) {
      cropStart = -padStart;
      padStart = 0;
    }
    let rows = outSize - cropStart;
    let padEnd = count + extent - 1 - rows - padStart;
    let cropEnd = 0;
    if (padEnd < 0) {
      cropEnd = -padEnd;
      padEnd = 0;
      rows -= cropEnd;
    }
    if (rows <= 0) continue; // every tap falls outside dy: these dx rows stay zero
    phases.push({
      taps,
      cropStart,
      cropEnd,
      padStart,
      padEnd,
      dilation: stride === 1 ? dilation : 1,
      count,
      firstIndex: qMin * stride + phase - pad,
      step: stride,
    });
  }
  return phases;
}

/** True when the phase plan applies: strides and dilations both above 1 on one axis are left to the fallback. */
export function phasesSupported(info: backend_util.Conv2DInfo): boolean {
  return !(
    (info.strideHeight > 1 && info.dilationHeight > 1) ||
    (info.strideWidth > 1 && info.dilationWidth > 1)
  );
}

/**
 * dx (NHWC) from dy (NHWC) and the filter, for a regular (`[KH, KW, Ci, Co]`) or depthwise multiplier-1
 * (`[KH, KW, C, 1]`) filter.
 */
export function inputGradientByPhases(
  backend: WasmBackendLike,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  depthwise: boolean,
): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const rowPhases = planAxis(inHeight, outHeight, info.filterHeight, info.strideHeight, info.dilationHeight, info.padInfo.top);
  const colPhases = planAxis(inWidth, outWidth, info.filterWidth, info.strideWidth, info.dilationWidth, info.padInfo.left);
  const single =
    rowPhases.length === 1 &&
    colPhases.length === 1 &&
    rowPhases[0]!.step === 1 &&
    colPhases[0]!.step === 1 &&
    rowPhases[0]!.firstIndex === 0 &&
    colPhases[0]!.firstIndex === 0 &&
    rowPhases[0]!.count === inHeight &&
    colPhases[0]!.count === inWidth;

  let dx: TensorInfo | null = null;
  if (!single) {
    dx = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32');
    const covered =
      rowPhases.reduce((s, p) => s + p.count, 0) === inHeight && colPhases.reduce((s, p) => s + p.count, 0) === inWidth;
    if (!covered) asFloat32(backend, dx).fill(0);
  }

  for (const rp of rowPhases) {
    for (const cp of colPhases) {
      const subFilter = makeSubFilter(backend, filter, info, rp.taps, cp.taps, depthwise, inChannels, outChannels);
      let source = dy;
      const cropped = rp.cropStart + rp.cropEnd + cp.cropStart + cp.cropEnd > 0;
      if (cropped) {
        source = slice(
          backend,
          dy,
          [0, rp.cropStart, cp.cropStart, 0],
          [batchSize, outHeight - rp.cropStart - rp.cropEnd, outWidth - cp.cropStart - cp.cropEnd, outChannels],
        );
      }
      const attrs = {
        strides: [1, 1],
        dilations: [rp.dilation, cp.dilation],
        pad: explicitPad({ top: rp.padStart, bottom: rp.padEnd, left: cp.padStart, right: cp.padEnd }),
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      } as unknown as Record<string, never>;
      const phaseOut = runWasmKernel(
        backend,
        depthwise ? 'DepthwiseConv2dNative' : 'Conv2D',
        { x: source, filter: subFilter },
        attrs,
      );
      if (cropped) disposeInfos(backend, source);
      disposeInfos(backend, subFilter);
      if (phaseOut.shape[1] !== rp.count || phaseOut.shape[2] !== cp.count) {
        disposeInfos(backend, phaseOut, dx);
        throw new Error(
          `registerWasmTrainingKernels: input-gradient phase has shape [${phaseOut.shape}], expected ${rp.count}x${cp.count}`,
        );
      }
      if (single) return phaseOut;
      scatterPhase(backend, phaseOut, dx!, rp, cp, info);
      disposeInfos(backend, phaseOut);
    }
  }
  return dx!;
}

function makeSubFilter(
  backend: WasmBackendLike,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  rowTaps: number[],
  colTaps: number[],
  depthwise: boolean,
  inChannels: number,
  outChannels: number,
): TensorInfo {
  const kw = info.filterWidth;
  const jh = rowTaps.length;
  const jw = colTaps.length;
  if (depthwise) {
    const out = backend.makeOutput([jh, jw, inChannels, 1], 'float32');
    const g = asFloat32(backend, out);
    const w = asFloat32(backend, filter);
    for (let a = 0; a < jh; a++) {
      for (let b = 0; b < jw; b++) {
        const src = (rowTaps[a]! * kw + colTaps[b]!) * inChannels;
        g.set(w.subarray(src, src + inChannels), (a * jw + b) * inChannels);
      }
    }
    return out;
  }
  // [jh, jw, Co, Ci]: the filter's channel axes swap because dx = dy ⋆ Wᵀ
  const out = backend.makeOutput([jh, jw, outChannels, inChannels], 'float32');
  const kernels = wasmKernels(backend);
  if (kernels != null) {
    const tapBytes = inChannels * outChannels * 4;
    const from = heapOffset(backend, filter);
    const to = heapOffset(backend, out);
    for (let a = 0; a < jh; a++) {
      for (let b = 0; b < jw; b++) {
        const src = from + (rowTaps[a]! * kw + colTaps[b]!) * tapBytes;
        kernels.transpose_32(src, to + (a * jw + b) * tapBytes, 1, inChannels, outChannels);
      }
    }
    return out;
  }
  const g = asFloat32(backend, out);
  const w = asFloat32(backend, filter);
  for (let a = 0; a < jh; a++) {
    for (let b = 0; b < jw; b++) {
      const src = (rowTaps[a]! * kw + colTaps[b]!) * inChannels * outChannels;
      const dst = (a * jw + b) * outChannels * inChannels;
      for (let ci = 0; ci < inChannels; ci++) {
        const srcRow = src + ci * outChannels;
        for (let co = 0; co < outChannels; co++) g[dst + co * inChannels + ci] = w[srcRow + co]!;
      }
    }
  }
  return out;
}

function scatterPhase(
  backend: WasmBackendLike,
  phaseOut: TensorInfo,
  dx: TensorInfo,
  rp: AxisPhase,
  cp: AxisPhase,
  info: backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels: c } = info;
  const kernels = wasmKernels(backend);
  if (kernels != null) {
    const pixel = c * 4;
    const first = (rp.firstIndex * inWidth + cp.firstIndex) * pixel;
    kernels.scatter_pixels(
      heapOffset(backend, phaseOut), heapOffset(backend, dx) + first, batchSize, rp.count, cp.count,
      pixel, inHeight * inWidth * pixel, rp.step * inWidth * pixel, cp.step * pixel);
    return;
  }
  const src = asFloat32(backend, phaseOut);
  const dst = asFloat32(backend, dx);
  let s = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let r = 0; r < rp.count; r++) {
      const row = rp.firstIndex + r * rp.step;
      const rowBase = (n * inHeight + row) * inWidth;
      if (cp.step === 1 && cp.firstIndex === 0 && cp.count === inWidth) {
        dst.set(src.subarray(s, s + inWidth * c), rowBase * c);
        s += inWidth * c;
        continue;
      }
      for (let q = 0; q < cp.count; q++) {
        const col = cp.firstIndex + q * cp.step;
        const d = (rowBase + col) * c;
        for (let k = 0; k < c; k++) dst[d + k] = src[s + k]!;
        s += c;
      }
    }
  }
}
