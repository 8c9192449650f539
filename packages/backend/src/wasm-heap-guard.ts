import * as tf from '@tensorflow/tfjs-core';

interface EmscriptenHeap {
  _malloc: (bytes: number) => number;
  HEAPU8: Uint8Array;
}

const guarded = new WeakSet<object>();

/** 4 GiB: wasm32's address space, which the tfjs build may grow to. */
export const WASM_HEAP_LIMIT_BYTES = 4 * 2 ** 30;

const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/**
 * Makes wasm heap exhaustion a clear error. tfjs-backend-wasm does not check `malloc`'s result: at the 4 GiB limit
 * it registers the tensor at address 0 and later fails with "memory access out of bounds" (or overwrites memory).
 * Sizes of 4 GiB or more are worse: malloc's 32-bit size wraps and a too-small buffer comes back. This wraps the
 * module's `_malloc` so such allocations throw instead, before any tensor is registered. Returns
 * false when the wasm backend is not initialised yet (nothing to guard). Idempotent.
 */
export function guardWasmHeap(): boolean {
  const backend = tf.engine().registry.wasm as unknown as { wasm?: EmscriptenHeap } | undefined;
  const module = backend?.wasm;
  if (module == null || typeof module._malloc !== 'function') return false;
  if (guarded.has(module)) return true;
  const malloc = module._malloc.bind(module);
  const fail = (bytes: number): never => {
    throw new Error(
      `wasm backend: out of memory allocating ${MiB(bytes)} (heap at ${MiB(module.HEAPU8.length)} of ` +
        `${MiB(WASM_HEAP_LIMIT_BYTES)}); use a smaller batch, or accumulateGradients with micro-batches`,
    );
  };
  module._malloc = (bytes: number): number => {
    // malloc takes a 32-bit size: 4 GiB or more would wrap around to a small, wrong allocation.
    if (bytes >= WASM_HEAP_LIMIT_BYTES) fail(bytes);
    const pointer = malloc(bytes);
    if (pointer === 0 && bytes > 0) fail(bytes);
    return pointer;
  };
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
  const heap = backend?.wasm?.HEAPU8.length;
  const where = heap ? ` (heap at ${MiB(heap)} of ${MiB(WASM_HEAP_LIMIT_BYTES)})` : '';
  return (
    `wasm backend: a kernel failed with "${message}"${where}, which is how the wasm build reports running out of ` +
    'memory inside a kernel. The backend cannot be used again in this process: restart it with smaller batches ' +
    '(a smaller micro-batch for training, a smaller inference batch for evaluation).'
  );
}
