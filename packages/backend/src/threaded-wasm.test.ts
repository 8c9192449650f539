import * as tf from '@tensorflow/tfjs-core';
import * as wasmPackage from '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { onBackend } from './testing/backends';
import { selectBackend } from './select-backend';
import { startThreadedWasm } from './threaded-wasm';

const PACKAGE_DIR = join(__dirname, '..');
const originalFactory = tf.findBackendFactory('wasm');

// 2 x 3 times 3 x 2, by hand: the reference the child's matmul must equal.
const PRODUCT = [58, 64, 139, 154];

/** Runs src/testing/threaded-child.ts in a fresh `node`; a hung child is killed by spawnSync and fails on `status`. */
function runChild(env: Record<string, string>) {
  const { outputFiles } = buildSync({
    entryPoints: [join(__dirname, 'testing', 'threaded-child.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  // From stdin with the package as cwd: the script resolves tfjs from there and writes nothing outside the temp dir.
  const child = spawnSync(process.execPath, ['--input-type=module'], {
    input: outputFiles[0]!.text,
    cwd: PACKAGE_DIR,
    env: { ...process.env, FRACTURE_BACKEND: '', ...env },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: child.status, signal: child.signal, stderr: child.stderr, result: child.stdout ? JSON.parse(child.stdout) : null };
}

const twoCores = availableParallelism() >= 2;
if (!twoCores) {
  console.info(`threaded-wasm: 2-thread checks skipped: this machine has ${availableParallelism()} core(s), they need 2`);
}

describe('startThreadedWasm refuses or abandons a start it cannot make, leaving the wasm registration as it was', () => {
  afterEach(() => {
    expect(tf.findBackendFactory('wasm')).toBe(originalFactory);
    expect(tf.engine().registry.wasm).toBeUndefined();
  });

  test('a tfjs-backend-wasm other than 4.22.0', async () => {
    await expect(startThreadedWasm({ ...wasmPackage, version_wasm: '4.21.0' }, 2)).rejects.toThrow(
      '@tensorflow/tfjs-backend-wasm is 4.21.0; the threaded start relies on the internals of 4.22.0',
    );
  });

  test('a pthread worker that fails to start', async () => {
    await expect(
      startThreadedWasm(wasmPackage, 2, { workerSource: 'throw new Error("no pthreads here")' }),
    ).rejects.toThrow(/a pthread worker failed to start: no pthreads here/);
  });

  test('workers that never report ready: a timeout, not a hang', async () => {
    // A worker that idles instead of loading the module.
    await expect(
      startThreadedWasm(wasmPackage, 2, { workerSource: 'setInterval(() => {}, 1000);', timeoutMs: 1500 }),
    ).rejects.toThrow('the threaded module start did not finish within 1500 ms');
  });
});

test('selectBackend falls back to the single-threaded build, saying why, when the threaded start fails', async () => {
  const oldWasm = (specifier: string): Promise<unknown> =>
    specifier === '@tensorflow/tfjs-backend-wasm'
      ? Promise.resolve({ ...wasmPackage, version_wasm: '4.21.0' })
      : Promise.reject(new Error(`Cannot find module '${specifier}'`));
  const chosen = await selectBackend({ env: { FRACTURE_WASM_THREADS: '2' }, loadModule: oldWasm });
  expect(chosen.engine).toBe('wasm');
  expect(chosen.threads).toBe(1);
  expect(wasmPackage.getThreadsCount()).toBe(1);
  expect(chosen.reason).toMatch(
    /1 thread, training kernels registered, relaxed SIMD: (yes|no) \([^;]*\); the threaded build did not start \(@tensorflow\/tfjs-backend-wasm is 4\.21\.0.*\), so the single-threaded SIMD build runs$/,
  );
  const multiply = () =>
    tf.tidy(() => Array.from(tf.matMul(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), tf.tensor2d([7, 8, 9, 10, 11, 12], [3, 2])).dataSync()));
  const before = tf.memory().numTensors;
  expect(multiply()).toEqual(await onBackend('cpu', multiply));
  expect(tf.memory().numTensors).toBe(before);
});

describe('a child process using the threaded build ends on its own', () => {
  (twoCores ? test : test.skip)('FRACTURE_WASM_THREADS=2: 2 threads, the right product, exit code 0', () => {
    const child = runChild({ FRACTURE_WASM_THREADS: '2' });
    expect(child.stderr).toBe('');
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(child.result.threads).toBe(2);
    expect(child.result.reason).toMatch(/2 threads \(threaded build\)/);
    expect(child.result.product).toEqual(PRODUCT);
    // An interior output of all-ones sums 3·3·16 ones; the conv kernels' workers ran it and let the process end.
    expect(child.result.centre).toBe(144);
    expect(child.result.convWorkers).toBe(2);
  });

  test('a failed threaded start (its worker script throws) falls back and still exits', () => {
    const child = runChild({ FRACTURE_WASM_THREADS: '1', CHILD_WORKER_SOURCE: 'throw new Error("broken worker")' });
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(child.result.forcedFailure).toMatch(/a pthread worker failed to start: broken worker/);
    expect(child.result.threads).toBe(1);
    expect(child.result.product).toEqual(PRODUCT);
  });

  test('an abandoned threaded start (workers that never load) falls back and still exits', () => {
    const child = runChild({ FRACTURE_WASM_THREADS: '1', CHILD_WORKER_SOURCE: 'setInterval(() => {}, 1000);' });
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(child.result.forcedFailure).toBe('the threaded module start did not finish within 2000 ms');
    expect(child.result.threads).toBe(1);
    expect(child.result.product).toEqual(PRODUCT);
  });
});
