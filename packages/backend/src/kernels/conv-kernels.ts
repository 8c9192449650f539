import { CONV_KERNELS_RELAXED_SHARED, CONV_KERNELS_RELAXED_UNSHARED, CONV_KERNELS_SHARED, CONV_KERNELS_UNSHARED } from './conv-kernels-binary';
import { relaxedSimdAvailable } from '../relaxed-simd';
import { startKernelWorkers } from './kernel-workers';
import type { KernelWorkers } from './kernel-workers';
import type { WasmBackendLike } from './wasm-kernel-utils';
import { fromBase64, heapMemory, wasmModule } from './wasm-kernels';
import { threadsOf } from './winograd-choice';

/*
 * The Winograd F(2x2, 3x3) convolution kernels of wasm/conv-kernels.wat, bound to the wasm backend's heap like
 * the training kernels (a separate module, so the two evolve independently). On the threaded build their work is
 * split over as many threads as XNNPACK uses (`convKernelWorkers`); otherwise they run on the calling thread.
 */

/** Byte offsets into the wasm heap; integers are element counts or sizes. See conv-kernels.wat for the layouts. */
export interface ConvKernelExports {
  wino_pad_input(
    x: number, padded: number, images: number, h: number, w: number, c: number,
    hp: number, wp: number, cp: number, top: number, left: number,
  ): void;
  wino_input_transform(
    padded: number, v: number, images: number, tilesH: number, tilesW: number,
    hp: number, wp: number, cp: number, matrixBytes: number,
  ): void;
  wino_filter_transform(
    filter: number, u: number, cin: number, cout: number, cinP: number, flip: number, matrixBytes: number,
  ): void;
  wino_gemm(
    v: number, u: number, m: number, rows: number, k: number, panels: number,
    vMatrixBytes: number, uMatrixBytes: number, mMatrixBytes: number,
  ): void;
  wino_output_transform(
    m: number, y: number, images: number, tilesH: number, tilesW: number,
    oh: number, ow: number, co: number, panels: number, matrixBytes: number,
  ): void;
  wino_dy_transform(
    dy: number, w: number, images: number, tilesH: number, tilesW: number,
    oh: number, ow: number, co: number, coP: number, matrixBytes: number,
  ): void;
  wino_gemm_tn(
    v: number, w: number, m: number, rows: number, cp: number, coP: number, panelStart: number, panelEnd: number,
    vMatrixBytes: number, wMatrixBytes: number, mMatrixBytes: number, block: number, matrices: number,
  ): void;
  wino_filter_output_transform(m: number, dg: number, cin: number, cout: number, coP: number, matrixBytes: number): void;
  bn_grad_sums(dy: number, xc: number, sa: number, sb: number, rows: number, channels: number, c0: number, c1: number, block: number): void;
  bn_grad_input(dy: number, xc: number, a: number, b: number, k: number, out: number, channels: number, r0: number, r1: number): void;
}

const simd128Build = wasmModule<ConvKernelExports>(CONV_KERNELS_UNSHARED, CONV_KERNELS_SHARED);
const relaxedBuild = wasmModule<ConvKernelExports>(CONV_KERNELS_RELAXED_UNSHARED, CONV_KERNELS_RELAXED_SHARED);

/** Which build of the module runs: `auto` the relaxed-SIMD one where the engine has relaxed SIMD. */
export type ConvKernelsBuild = 'auto' | 'relaxed' | 'simd128';
let build: ConvKernelsBuild = 'auto';

/** Test and benchmark hook: force one build (`relaxed` still falls back where the engine lacks it). Returns the previous one. */
export function setConvKernelsBuild(value: ConvKernelsBuild): ConvKernelsBuild {
  const previous = build;
  build = value;
  return previous;
}

/** The build `convKernels` binds now: relaxed SIMD (fused multiply-adds in the products) where available. */
export function convKernelsBuild(): 'relaxed' | 'simd128' {
  return build !== 'simd128' && relaxedSimdAvailable() ? 'relaxed' : 'simd128';
}

/** The conv kernels bound to this backend's heap, or null when they cannot be (callers keep XNNPACK's path). */
export function convKernels(backend: WasmBackendLike): ConvKernelExports | null {
  return convKernelsBuild() === 'relaxed' ? (relaxedBuild(backend) ?? simd128Build(backend)) : simd128Build(backend);
}

// A build's compiled form is shared by every pool; workers are per backend (per heap) and build.
const sharedModules = new Map<string, object | null>();
const pools = { relaxed: new WeakMap<object, KernelWorkers | null>(), simd128: new WeakMap<object, KernelWorkers | null>() };
let poolsEnabled = true;

/** Test and benchmark hook: with `false`, the conv kernels run on the calling thread only. Returns the previous setting. */
export function setConvKernelWorkersEnabled(value: boolean): boolean {
  const previous = poolsEnabled;
  poolsEnabled = value;
  return previous;
}

/**
 * Workers running the conv kernels on this backend's heap, one fewer than the threads XNNPACK runs on (the caller is
 * the last), or null on the single-threaded build, or where the workers cannot start.
 */
export function convKernelWorkers(backend: WasmBackendLike): KernelWorkers | null {
  if (!poolsEnabled) return null;
  const threads = threadsOf(backend);
  if (threads < 2 || convKernels(backend) == null) return null;
  // The workers run the build the caller runs, so a split call computes what one thread would.
  const kind = convKernelsBuild() === 'relaxed' && relaxedBuild(backend) != null ? 'relaxed' : 'simd128';
  let pool = pools[kind].get(backend);
  if (pool === undefined) {
    const memory = heapMemory(backend);
    const webAssembly = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly;
    if (!sharedModules.has(kind)) {
      try {
        sharedModules.set(kind, new webAssembly.Module(fromBase64(kind === 'relaxed' ? CONV_KERNELS_RELAXED_SHARED : CONV_KERNELS_SHARED)));
      } catch {
        sharedModules.set(kind, null);
      }
    }
    const module = sharedModules.get(kind);
    pool = memory && module ? startKernelWorkers({ module, memory, workers: threads - 1 }) : null;
    pools[kind].set(backend, pool);
  }
  return pool;
}
