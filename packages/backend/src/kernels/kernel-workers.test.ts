import { WASM_KERNELS_SHARED, WASM_KERNELS_UNSHARED } from './wasm-kernels-binary';
import { startKernelWorkers } from './kernel-workers';
import type { KernelWorkers } from './kernel-workers';

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => { buffer: ArrayBuffer | SharedArrayBuffer; grow(pages: number): number };
  Module: new (bytes: Uint8Array) => object;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const compile = (base64: string) => new wasm.Module(Uint8Array.from(Buffer.from(base64, 'base64')));

describe('startKernelWorkers', () => {
  // The threaded build's kind of heap: shared, at most 4 GiB. 64 pages = 4 MiB.
  const memory = new wasm.Memory({ initial: 64, maximum: 65536, shared: true });
  let pool: KernelWorkers | null = null;

  beforeAll(() => {
    pool = startKernelWorkers({ module: compile(WASM_KERNELS_SHARED), memory, workers: 1 });
  });

  afterAll(() => pool?.terminate());

  test('splits one kernel over the calling thread and a worker on the same heap', () => {
    expect(pool?.threads).toBe(2);
    const n = 100_003;
    const src = 1024;
    const dst = src + 4 * n + 64;
    const ints = new Int32Array(memory.buffer, src, n);
    for (let i = 0; i < n; i++) ints[i] = ((i * 7919) % 200_001) - 100_000;
    new Float32Array(memory.buffer, dst, n).fill(Number.NaN);
    // The halves meet at an odd element, so the worker's share starts off a vector boundary.
    const half = 50_001;
    pool!.run('cast_i32_to_f32', [
      [src, dst, half],
      [src + 4 * half, dst + 4 * half, n - half],
    ]);
    const out = new Float32Array(memory.buffer, dst, n);
    for (let i = 0; i < n; i++) if (out[i] !== ints[i]) throw new Error(`element ${i}: ${out[i]} != ${ints[i]}`);
  });

  test('sees memory the caller grew after the workers started', () => {
    const before = memory.buffer.byteLength;
    memory.grow(16);
    const src = before + 16;
    const dst = src + 4096;
    new Int32Array(memory.buffer, src, 8).set([1, -2, 3, -4, 5, -6, 7, -8]);
    pool!.run('cast_i32_to_f32', [[src, dst, 4], [src + 16, dst + 16, 4]]);
    expect(Array.from(new Float32Array(memory.buffer, dst, 8))).toEqual([1, -2, 3, -4, 5, -6, 7, -8]);
  });

  test("reports a worker's trap naming the function, and stays usable", () => {
    const outside = memory.buffer.byteLength + 4096;
    expect(() => pool!.run('cast_i32_to_f32', [[0, 64, 0], [outside, 0, 16]])).toThrow(/KernelWorkers\.run: cast_i32_to_f32 failed on worker 1/);
    pool!.run('cast_i32_to_f32', [[1024, 2048, 4], [1040, 2064, 4]]);
  });

  test('validates its arguments', () => {
    expect(() => pool!.run('no_such_kernel', [[0]])).toThrow(/KernelWorkers\.run: the module has no function 'no_such_kernel'/);
    expect(() => pool!.run('cast_i32_to_f32', [[0, 0, 0], [0, 0, 0], [0, 0, 0]])).toThrow(/expected 1 to 2 argument lists, got 3/);
    expect(() => startKernelWorkers({ module: compile(WASM_KERNELS_SHARED), memory, workers: -1 })).toThrow(/startKernelWorkers: workers must be a non-negative integer, got -1/);
  });

  test('returns null for an unshared heap (the single-threaded build), where workers cannot see it', () => {
    const unshared = new wasm.Memory({ initial: 1 });
    expect(startKernelWorkers({ module: compile(WASM_KERNELS_UNSHARED), memory: unshared, workers: 1 })).toBeNull();
  });

  test('a terminated pool refuses calls', () => {
    const short = startKernelWorkers({ module: compile(WASM_KERNELS_SHARED), memory, workers: 1 })!;
    short.terminate();
    expect(() => short.run('cast_i32_to_f32', [[0, 0, 0]])).toThrow(/the workers were terminated/);
  });
});
