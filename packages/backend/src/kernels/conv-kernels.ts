import { CONV_KERNELS_SHARED, CONV_KERNELS_UNSHARED } from './conv-kernels-binary';
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
    vMatrixBytes: number, wMatrixBytes: number, mMatrixBytes: number, block: number,
  ): void;
  wino_filter_output_transform(m: number, dg: number, cin: number, cout: number, coP: number, matrixBytes: number): void;
}

/** The conv kernels bound to this backend's heap, or null when they cannot be (callers keep XNNPACK's path). */
export const convKernels = wasmModule<ConvKernelExports>(CONV_KERNELS_UNSHARED, CONV_KERNELS_SHARED);

// The module's compiled form is shared by every pool; workers are per backend (per heap).
let sharedModule: object | null | undefined;
const pools = new WeakMap<object, KernelWorkers | null>();
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
  let pool = pools.get(backend);
  if (pool === undefined) {
    const memory = heapMemory(backend);
    const webAssembly = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly;
    if (sharedModule === undefined) {
      try {
        sharedModule = new webAssembly.Module(fromBase64(CONV_KERNELS_SHARED));
      } catch {
        sharedModule = null;
      }
    }
    pool = memory && sharedModule ? startKernelWorkers({ module: sharedModule, memory, workers: threads - 1 }) : null;
    pools.set(backend, pool);
  }
  return pool;
}
