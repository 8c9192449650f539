import type { TensorInfo } from '@tensorflow/tfjs-core';
import { WASM_KERNELS_SHARED, WASM_KERNELS_UNSHARED } from './wasm-kernels-binary';
import type { WasmBackendLike } from './wasm-kernel-utils';

/*
 * Our own SIMD kernels (wasm/training-kernels.wat), instantiated on the wasm backend's heap so they read and write
 * tensors in place: one pass where the wasm build needs several kernels, and vectorised loops where the
 * alternative is JavaScript over the heap (3-7 ns per element). They run on the calling thread.
 */

/** Byte offsets into the wasm heap; integers are element counts or sizes. */
export interface WasmKernelExports {
  sum_rows(x: number, out: number, acc: number, outer: number, rows: number, width: number, scale: number): void;
  depthwise_filter_grad(
    x: number, dy: number, acc: number, out: number,
    n: number, h: number, w: number, c: number, oh: number, ow: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, top: number, left: number,
  ): void;
  depthwise_input_grad(
    dy: number, filter: number, dx: number,
    n: number, h: number, w: number, c: number, oh: number, ow: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, top: number, left: number,
  ): void;
  batch_norm(x: number, out: number, mean: number, factor: number, offset: number, hasOffset: number, rows: number, c: number): void;
  scatter_pixels(
    src: number, dst: number, outer: number, rows: number, cols: number,
    pixelBytes: number, imageBytes: number, rowBytes: number, colBytes: number,
  ): void;
  cast_u8_to_f32(src: number, dst: number, n: number): void;
  transpose_32(src: number, dst: number, batch: number, rows: number, cols: number): void;
  cast_i32_to_f32(src: number, dst: number, n: number): void;
  filter_gradient_columns(
    xT: number, cols: number, n0: number, count: number, batch: number,
    h: number, w: number, ci: number, oh: number, ow: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, top: number, left: number,
  ): void;
  patch_rows(
    x: number, out: number, n0: number, count: number,
    h: number, w: number, ci: number, oh: number, ow: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, top: number, left: number, cp: number,
  ): void;
  max_pool_grad(
    x: number, dy: number, dx: number,
    n: number, h: number, w: number, c: number, oh: number, ow: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, top: number, left: number,
  ): void;
}

// The project's lib has no WebAssembly typings (they come with the DOM lib); only what is used here.
interface MemoryLike {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WebAssemblyApi {
  Memory: abstract new (...args: never[]) => MemoryLike;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const webAssembly = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;

let enabled = true;

/** Test and benchmark hook: with `false`, every caller takes its JavaScript path. Returns the previous setting. */
export function setWasmKernelsEnabled(value: boolean): boolean {
  const previous = enabled;
  enabled = value;
  return previous;
}

/** The emscripten heap of a tfjs-backend-wasm instance: exported by the single-threaded build, imported by the threaded one. */
export function heapMemory(backend: WasmBackendLike): MemoryLike | null {
  const module = (backend as unknown as { wasm?: { asm?: Record<string, unknown>; wasmMemory?: unknown } }).wasm;
  if (module == null || webAssembly == null) return null;
  const candidates = [module.asm?.['memory'], module.wasmMemory, ...Object.values(module.asm ?? {})];
  const memory = candidates.find((m) => m instanceof webAssembly.Memory);
  return (memory as MemoryLike | undefined) ?? null;
}

/**
 * One of our modules (base64 binaries, one importing an unshared memory, one a shared memory), bound lazily to
 * each backend's heap. The returned function gives its exports, or null when they cannot be bound (no
 * WebAssembly, a heap that is not reachable, an engine without SIMD, `setWasmKernelsEnabled(false)`); callers then
 * take their other path.
 */
export function wasmModule<T>(unshared: string, shared: string): (backend: WasmBackendLike) => T | null {
  // Per backend instance: its heap never changes, and kernels ask on every call.
  const instances = new WeakMap<object, T | null>();
  return (backend) => {
    if (!enabled) return null;
    let exports = instances.get(backend);
    if (exports === undefined) {
      exports = bindModule<T>(backend, unshared, shared);
      instances.set(backend, exports);
    }
    return exports;
  };
}

function bindModule<T>(backend: WasmBackendLike, unshared: string, shared: string): T | null {
  const memory = heapMemory(backend);
  if (memory == null) return null;
  try {
    const isShared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = fromBase64(isShared ? shared : unshared);
    const instance = new webAssembly!.Instance(new webAssembly!.Module(bytes), { env: { memory } });
    return instance.exports as unknown as T;
  } catch {
    return null;
  }
}

/** The kernels of wasm/training-kernels.wat bound to this backend's heap, or null (see `wasmModule`). */
export const wasmKernels = wasmModule<WasmKernelExports>(WASM_KERNELS_UNSHARED, WASM_KERNELS_SHARED);

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Scratch space for `count` float64 values on the heap, as a float32 tensor twice as long (free it with disposeInfos). */
export function float64Scratch(backend: WasmBackendLike, count: number): TensorInfo {
  return backend.makeOutput([Math.max(2, 2 * count)], 'float32');
}

/** Where a tensor's data starts in the heap, in bytes. */
export function heapOffset(backend: WasmBackendLike, info: TensorInfo): number {
  return backend.typedArrayFromHeap(info).byteOffset;
}
