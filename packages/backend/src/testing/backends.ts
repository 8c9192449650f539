import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as wasmPackage from '@tensorflow/tfjs-backend-wasm';
// tfjs-core alone registers no gradients; tfjs-layers registers them all.
import '@tensorflow/tfjs-layers';
import { setWasmKernelsEnabled } from '../kernels/wasm-kernels';
import { startThreadedWasm, stopThreadedWasm } from '../threaded-wasm';

// Silences the cpu backend's "install tfjs-node" banner (IS_TEST would also, but turns on kernel leak checks
// that tfjs's own softmaxCrossEntropy gradient trips).
tf.env().set('PROD', true);

let wasmThreads = 1;

/**
 * Test helper: makes `onBackend('wasm')` start tfjs-backend-wasm's threaded build with `threads` threads. The
 * `wasm, 2 threads` jest project (jest.config.cjs) calls it before every parity test file, so the same tests check
 * the kernels on both builds. Stops the workers after the file, since jest reuses its worker processes.
 */
export function useThreadedWasm(threads: number): void {
  wasmThreads = threads;
  afterAll(() => stopThreadedWasm());
}

/** Test helper: the thread count `onBackend('wasm')` starts (1: tfjs's own single-threaded SIMD build). */
export function wasmThreadsForTests(): number {
  return wasmThreads;
}

/** Test helper: runs `fn` with the named backend active and returns plain arrays so results outlive the backend switch. */
export async function onBackend<T>(name: 'cpu' | 'wasm', fn: () => T): Promise<T> {
  if (name === 'wasm' && wasmThreads > 1 && tf.engine().registry.wasm == null) {
    const started = await startThreadedWasm(wasmPackage, wasmThreads);
    // Never a silent single-threaded run of the threaded project.
    if (started.threads !== wasmThreads) throw new Error(`onBackend: the threaded wasm build runs ${started.threads} threads, not ${wasmThreads}`);
  }
  await tf.setBackend(name);
  await tf.ready();
  return fn();
}

/** What `onBothBackends` returns per backend: the output as plain values that outlive the backend switch. */
export interface BackendOutput {
  shape: number[];
  dtype: string;
  values: number[];
}

/**
 * Test helper: runs `op` on fresh inputs from `makeInputs` on cpu, then on wasm, checking each run leaves exactly
 * one new tensor (its output), and returns both outputs.
 */
export async function onBothBackends(
  makeInputs: () => tf.Tensor[],
  op: (...inputs: tf.Tensor[]) => tf.Tensor,
): Promise<Record<'cpu' | 'wasm', BackendOutput>> {
  const run = (): BackendOutput => {
    const inputs = makeInputs();
    const before = tf.memory().numTensors;
    const out = op(...inputs);
    expect(tf.memory().numTensors).toBe(before + 1);
    const result = { shape: out.shape, dtype: out.dtype, values: Array.from(out.dataSync()) };
    tf.dispose([out, ...inputs]);
    return result;
  };
  return { cpu: await onBackend('cpu', run), wasm: await onBackend('wasm', run) };
}

/** Deterministic values in [-1, 1) (a small LCG), so failures reproduce. */
export function randomValues(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * max |a - b| / max(max |b|, floor): the relative error the parity tests bound. The floor keeps a tensor whose
 * reference is (mathematically) zero, such as the gradient of a bias that a later batch norm cancels, from turning
 * float rounding noise into a huge relative error.
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 0): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  const denominator = Math.max(scale, floor);
  return denominator === 0 ? diff : diff / denominator;
}

/**
 * Test helper: declares the enclosed tests twice, once with our SIMD kernels (`wasmKernels`) and once with the
 * JavaScript loops the kernels fall back to when those cannot bind to the heap.
 */
export function describeKernelPaths(name: string, body: () => void): void {
  describe.each([
    ['SIMD kernels', true],
    ['JavaScript loops', false],
  ] as const)(`${name} (%s)`, (_path, simd) => {
    let previous = true;
    beforeAll(() => {
      previous = setWasmKernelsEnabled(simd);
    });
    afterAll(() => {
      setWasmKernelsEnabled(previous);
    });
    body();
  });
}
