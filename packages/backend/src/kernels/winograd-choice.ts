import type { backend_util } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-kernel-utils';

/*
 * When the Winograd path replaces XNNPACK's convolution. Applicability is geometry (3x3, stride 1, dilation 1,
 * NHWC); whether it pays is measured (README, "Winograd convolutions") per shape, on 1 and 2 threads, because our
 * module runs on the calling thread while XNNPACK uses every wasm thread.
 */

/** `measured`: the rule below; `always` / `never`: tests and the benchmark, to run one path on every shape. */
export type WinogradPolicy = 'measured' | 'always' | 'never';

let policy: WinogradPolicy = 'measured';

/** Test and benchmark hook. Returns the previous policy. */
export function setWinogradPolicy(value: WinogradPolicy): WinogradPolicy {
  const previous = policy;
  policy = value;
  return previous;
}

let filterGradientPolicy: WinogradPolicy | null = null;

/**
 * Benchmark hook: a policy for the filter gradient alone (null: follow `setWinogradPolicy`), to compare a training
 * step with and without the Winograd filter gradient while the forward and input gradient keep theirs.
 */
export function setWinogradFilterGradientPolicy(value: WinogradPolicy | null): WinogradPolicy | null {
  const previous = filterGradientPolicy;
  filterGradientPolicy = value;
  return previous;
}

/** 3x3, stride 1, dilation 1, channels last: the convolutions F(2x2, 3x3) computes. */
export function winogradApplies(info: backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.dataFormat === 'channelsLast'
  );
}

/** Threads the backend's XNNPACK runs on (1 unless the threaded build started). */
export function threadsOf(backend: WasmBackendLike): number {
  const wasm = (backend as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } }).wasm;
  return wasm?.tfjs?.getThreadsCount?.() ?? 1;
}

/**
 * True when the Winograd path should run a convolution of `inChannels` to `outChannels` channels producing
 * `outHeight` x `outWidth` maps (for an input gradient: dy's channels to x's, at x's size).
 *
 * Measured (README, "Winograd convolutions"), batches 8 and 16: faster than XNNPACK on every ResNet18 and custom
 * CNN layer with 32 or more input channels, from 56x56 down to 7x7, on 1 and on 2 threads, including 32 to 3
 * channels (the custom CNN stem's input gradient). The input channels are the products' reduction: with 3 of them
 * (the stem's forward) the transforms cost as much as the products and XNNPACK is faster; with 8, Winograd is
 * faster on 1 thread but not reliably on 2 (XNNPACK splits the work, our module does not); with 16, on both. On
 * small maps the tiles' padding wastes products: a map needs ceil(oh/2)·ceil(ow/2)·16 products per channel pair
 * against oh·ow·9 directly, so at 3x3 the saving is 1.27x and at 1x1 it is a loss; the rule asks for a 1.5x saving,
 * which 7x7 (1.72x, measured faster) passes.
 */
export function winogradPays(
  backend: WasmBackendLike,
  outHeight: number,
  outWidth: number,
  inChannels: number,
): boolean {
  if (policy !== 'measured') return policy === 'always';
  if (inChannels < (threadsOf(backend) > 1 ? 16 : 8)) return false;
  const direct = outHeight * outWidth * 9;
  const winograd = Math.ceil(outHeight / 2) * Math.ceil(outWidth / 2) * 16;
  return direct >= 1.5 * winograd;
}

/**
 * True when the Winograd filter gradient (winograd-filter-gradient.ts) should replace the column matrix multiply
 * for a convolution of `inChannels` to `outChannels` channels producing `outHeight` x `outWidth` maps.
 *
 * Measured (README, "Winograd convolutions"), batches 8 and 16, 1 and 2 threads: 1.6-3x faster on every ResNet18
 * stage and on the custom CNN's inner layers, and on the 8>8 and 16>3 probes (small output channel counts only
 * pad W's columns to 8). Not on the custom CNN's stem (3 input channels: V's transform, padded to 4 channels,
 * costs as much as its 12 columns of products): 62.9 against 41.8 ms at batch 8 on 1 thread, 42.0 against 37.5
 * on 2. Small maps follow the forward rule (1.5x fewer products than direct), which 7x7 passes (1.3-1.6x faster).
 */
export function winogradFilterGradientPays(
  backend: WasmBackendLike,
  outHeight: number,
  outWidth: number,
  inChannels: number,
  outChannels: number,
): boolean {
  const chosen = filterGradientPolicy ?? policy;
  if (chosen !== 'measured') return chosen === 'always';
  if (inChannels < 8) return false;
  const direct = outHeight * outWidth * 9;
  const winograd = Math.ceil(outHeight / 2) * Math.ceil(outWidth / 2) * 16;
  return direct >= 1.5 * winograd;
}
