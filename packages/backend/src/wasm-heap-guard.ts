import * as tf from '@tensorflow/tfjs-core';

interface EmscriptenHeap {
  _malloc: (bytes: number) => number;
  _free?: (pointer: number) => void;
  HEAPU8: Uint8Array;
  /** Present on the threaded build (its workers share it); its buffer is a SharedArrayBuffer. */
  wasmMemory?: { buffer: ArrayBufferLike };
  [view: string]: unknown;
}

const guarded = new WeakSet<object>();

/** 4 GiB: wasm32's address space, which the tfjs build may grow to. */
export const WASM_HEAP_LIMIT_BYTES = 4 * 2 ** 30;

/**
 * Threaded build only: the top of the address space kept free for the allocations XNNPACK makes inside kernels,
 * which this guard cannot see. There, a failed allocation does not trap: a pthread writes through the bad pointer,
 * traps, and the main thread waits for it forever. 256 MiB is several times the largest such buffer of the study's
 * models (a convolution's indirection buffer at batch 32 and 300 px is about 26 MiB).
 */
export const THREADED_HEAP_HEADROOM_BYTES = 256 * 2 ** 20;

const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

const VIEWS: Record<string, new (buffer: ArrayBufferLike) => unknown> = {
  HEAP8: Int8Array,
  HEAPU8: Uint8Array,
  HEAP16: Int16Array,
  HEAPU16: Uint16Array,
  HEAP32: Int32Array,
  HEAPU32: Uint32Array,
  HEAPF32: Float32Array,
  HEAPF64: Float64Array,
};

/**
 * The threaded build's heap is a SharedArrayBuffer that any thread may grow; emscripten refreshes the module's
 * views only on the thread that grew it. tfjs (and these kernels, through `typedArrayFromHeap`) read
 * `module.HEAPU8.buffer`, so a stale view would make tensors past the old end unreachable.
 */
function refreshHeapViews(module: EmscriptenHeap): void {
  const buffer = module.wasmMemory?.buffer;
  if (buffer == null || module.HEAPU8.buffer === buffer) return;
  for (const [name, View] of Object.entries(VIEWS)) if (name in module) module[name] = new View(buffer);
}

const heapBytes = (module: EmscriptenHeap) => module.wasmMemory?.buffer.byteLength ?? module.HEAPU8.length;

/**
 * Makes wasm heap exhaustion a clear error. tfjs-backend-wasm does not check `malloc`'s result: at the 4 GiB limit
 * it registers the tensor at address 0 and later fails with "memory access out of bounds" (or overwrites memory).
 * Sizes of 4 GiB or more are worse: malloc's 32-bit size wraps and a too-small buffer comes back. This wraps the
 * module's `_malloc` so such allocations throw instead, before any tensor is registered. On the threaded build it also
 * refuses blocks reaching into the top `THREADED_HEAP_HEADROOM_BYTES` (see there) and keeps the heap views current
 * after another thread grew the heap. Returns
 * false when the wasm backend is not initialised yet (nothing to guard). Idempotent.
 */
export function guardWasmHeap(): boolean {
  const backend = tf.engine().registry.wasm as unknown as { wasm?: EmscriptenHeap } | undefined;
  const module = backend?.wasm;
  if (module == null || typeof module._malloc !== 'function') return false;
  if (guarded.has(module)) return true;
  let malloc = module._malloc;
  const shared = typeof SharedArrayBuffer !== 'undefined' && module.wasmMemory?.buffer instanceof SharedArrayBuffer;
  const limit = shared ? WASM_HEAP_LIMIT_BYTES - THREADED_HEAP_HEADROOM_BYTES : WASM_HEAP_LIMIT_BYTES;
  const fail = (bytes: number): never => {
    throw new Error(
      `wasm backend: out of memory allocating ${MiB(bytes)} (heap at ${MiB(heapBytes(module))} of ` +
        `${MiB(limit)}); use a smaller batch, or accumulateGradients with micro-batches`,
    );
  };
  const guardedMalloc = (bytes: number): number => {
    // malloc takes a 32-bit size: 4 GiB or more would wrap around to a small, wrong allocation.
    if (bytes >= WASM_HEAP_LIMIT_BYTES) fail(bytes);
    const pointer = malloc(bytes);
    if (pointer === 0 && bytes > 0) fail(bytes);
    if (shared) refreshHeapViews(module);
    const end = (pointer >>> 0) + bytes;
    // The threaded build's malloc does not return 0 near 4 GiB: it hands out a block running past the end of the
    // heap. Not freed: free() would write its bookkeeping out there.
    if (end > heapBytes(module)) fail(bytes);
    if (end > limit) {
      module._free?.(pointer);
      fail(bytes);
    }
    return pointer;
  };
  // emscripten's `_malloc` starts as a stub that, on its first call, replaces `Module._malloc` with the wasm export:
  // a plain assignment here would be overwritten by that first call. The setter takes the export instead.
  Object.defineProperty(module, '_malloc', {
    configurable: true,
    enumerable: true,
    get: () => guardedMalloc,
    set: (fn: (bytes: number) => number) => {
      malloc = fn;
    },
  });
  guarded.add(module);
  return true;
}

/**
 * A plain explanation for a wasm trap that heap exhaustion inside a kernel causes, or null for any other error.
 * The guard above sees only the allocations tfjs makes from JavaScript; XNNPACK's own buffers are allocated inside
 * the module, and when one of those fails the kernel dereferences a null pointer and the module traps with
 * "memory access out of bounds" (or aborts). The module is unusable afterwards, so the message says to restart.
 */
export function explainWasmTrap(error: unknown): string | null {
  // Matched by message: other traps (unreachable, divide by zero) are bugs, not memory, and keep their own text.
  const message = error instanceof Error ? error.message : String(error);
  if (!/^(memory access out of bounds|Aborted\()/.test(message)) return null;
  const backend = tf.engine().registry.wasm as unknown as { wasm?: EmscriptenHeap } | undefined;
  const heap = backend?.wasm ? heapBytes(backend.wasm) : undefined;
  const where = heap ? ` (heap at ${MiB(heap)} of ${MiB(WASM_HEAP_LIMIT_BYTES)})` : '';
  return (
    `wasm backend: a kernel failed with "${message}"${where}, which is how the wasm build reports running out of ` +
    'memory inside a kernel. The backend cannot be used again in this process: restart it with smaller batches ' +
    '(a smaller micro-batch for training, a smaller inference batch for evaluation).'
  );
}
