import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The only tfjs-backend-wasm release this start is written against: it relies on the layout of its `wasm-out`
 * folder, on its emscripten glue (the `PThread` object, `instantiateWasm`, `mainScriptUrlOrBlob`) and on its
 * `BackendWasm` constructor reading the module-level thread count.
 */
export const THREADED_WASM_VERSION = '4.22.0';

/** Workers emscripten starts before the module is ready (the build's PTHREAD_POOL_SIZE). */
const PREBUILT_POOL_SIZE = 8;

/** How long the module and its workers may take to start before the threaded start gives up. */
export const THREADED_START_TIMEOUT_MS = 30_000;

/** The parts of the `@tensorflow/tfjs-backend-wasm` namespace the threaded start uses. */
export interface WasmPackage {
  // `never`: any constructor fits; the module handed to it is built here to the shape tfjs's own init builds.
  BackendWasm?: new (module: never) => tf.KernelBackend;
  setThreadsCount?: (n: number) => void;
  getThreadsCount?: () => number;
  version_wasm?: string;
}

/** A node `worker_threads` Worker as emscripten's glue holds it. */
interface PthreadWorker {
  on(event: 'error', listener: (error: unknown) => void): void;
  off(event: 'error', listener: (error: unknown) => void): void;
  onerror?: (error: unknown) => void;
  unref(): void;
  terminate(): unknown;
}

interface PThreadPool {
  unusedWorkers: PthreadWorker[];
  runningWorkers: PthreadWorker[];
  loadWasmModuleToWorker: (worker: PthreadWorker, onFinishedLoading?: unknown) => void;
  terminateAllThreads: () => void;
}

/** The emscripten module of the threaded build, with the `tfjs` bridge `BackendWasm` expects. */
export interface ThreadedWasmModule {
  PThread: PThreadPool;
  cwrap: (name: string, returnType: string | null, argTypes: string[]) => unknown;
  tfjs?: Record<string, unknown>;
}

// The project's lib has no WebAssembly typings (they come with the DOM lib); only what is used here.
interface WebAssemblyApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object; module: object }>;
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

type ModuleFactory = (config: Record<string, unknown>) => Promise<ThreadedWasmModule>;

export interface ThreadedStartOptions {
  /** Default `THREADED_START_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** Replaces the pthread worker script (tests force a worker start failure with it). */
  workerSource?: string;
}

export interface ThreadedStart {
  /** Threads tfjs reports as running (`getThreadsCount()`). */
  threads: number;
  /** Why fewer threads run than were requested, or ''. */
  note: string;
}

function packageFiles() {
  // Resolved from this file, so the tfjs-backend-wasm next to this package is used, not one found from the cwd.
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  return {
    require,
    glue: join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js'),
    workerModule: join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'),
    binary: join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.wasm'),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const errorText = (error: unknown): string =>
  error instanceof Error ? error.message.split('\n')[0]! : typeof error === 'object' && error != null && 'message' in error ? String((error as { message: unknown }).message) : String(error);

/**
 * Starts tfjs-backend-wasm's threaded SIMD build in Node and registers it as the `wasm` backend, which then uses
 * `threads` threads (the main thread plus `threads - 1` pthreads). tfjs itself never loads this build in Node: it
 * hands its pthread workers `blob:` URLs, which `worker_threads` cannot load, and its C++ caps the pool at
 * `emscripten_num_logical_cores() / 2`. Here the workers get the same worker script from a private temp folder
 * (removed once they have loaded), and the core count the module sees is `2 * threads`, so the cap is the request.
 * The workers are unref'd, so they never keep the process alive. Throws, leaving the previous `wasm` backend
 * registration in place and no worker running, on any failure; the caller falls back to the single-threaded build.
 */
export async function startThreadedWasm(
  wasmPackage: WasmPackage,
  requested: number,
  options: ThreadedStartOptions = {},
): Promise<ThreadedStart> {
  const { BackendWasm, setThreadsCount, getThreadsCount, version_wasm: version } = wasmPackage;
  if (version !== THREADED_WASM_VERSION) {
    throw new Error(`@tensorflow/tfjs-backend-wasm is ${version ?? 'of unknown version'}; the threaded start relies on the internals of ${THREADED_WASM_VERSION}`);
  }
  if (BackendWasm == null || setThreadsCount == null || getThreadsCount == null) {
    throw new Error('@tensorflow/tfjs-backend-wasm does not export BackendWasm, setThreadsCount and getThreadsCount');
  }
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('this runtime has no SharedArrayBuffer');
  if (tf.engine().registry.wasm != null) throw new Error('the wasm backend is already running in this process');
  // pthreadpool_create blocks the main thread until every thread runs; a thread beyond the prebuilt pool needs a
  // new worker, which only loads once the main thread returns to the event loop: a deadlock. Hence the cap.
  const threads = Math.min(requested, PREBUILT_POOL_SIZE + 1);
  const note = threads < requested ? `at most ${PREBUILT_POOL_SIZE + 1} threads (the prebuilt worker pool plus the main thread)` : '';

  const files = packageFiles();
  const factory = files.require(files.glue) as ModuleFactory;
  const workerSource =
    options.workerSource ??
    // The script is one line; tfjs escapes its newlines (inside string literals) before running it, and so do we.
    (files.require(files.workerModule) as { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');
  // mkdtemp: a fresh folder only this user can write, so no other process can swap the script.
  const folder = mkdtempSync(join(tmpdir(), 'fracture-wasm-threads-'));
  const workerScript = join(folder, 'pthread-worker.cjs');
  writeFileSync(workerScript, workerSource);

  let started = false;
  let failWorker: (error: unknown) => void = () => undefined;
  const workerFailed = new Promise<never>((_, reject) => {
    failWorker = (error) => reject(new Error(`a pthread worker failed to start: ${errorText(error)}`));
  });
  workerFailed.catch(() => undefined);
  const early = (error: unknown) => {
    if (!started) failWorker(error);
  };

  const config: Record<string, unknown> & { PThread?: PThreadPool } = {
    locateFile: (path: string) => (path.endsWith('.worker.js') ? workerScript : join(dirname(files.binary), path)),
    // The workers evaluate the glue themselves (importScripts) before instantiating the shared module.
    mainScriptUrlOrBlob: files.glue,
    instantiateWasm: (
      imports: { env: Record<string, unknown> },
      receive: (instance: object, module: object) => void,
    ) => {
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      webAssembly
        .instantiate(readFileSync(files.binary), imports)
        .then((result) => receive(result.instance, result.module))
        .catch(failWorker);
      return {};
    },
    // emscripten's default prints and rejects too; this only keeps the message for the reason.
    onAbort: (what: unknown) => failWorker(new Error(`the module aborted: ${errorText(what)}`)),
  };

  const previous = tf.findBackendFactory('wasm');
  let module: ThreadedWasmModule | undefined;
  try {
    const ready = factory(config);
    const pool = config.PThread;
    if (pool == null) throw new Error('the threaded glue exposes no PThread pool');
    // Worker errors would otherwise be thrown from an event handler (emscripten rethrows them): a crash, not a
    // fallback. Until the start succeeds they reject it instead.
    for (const worker of pool.unusedWorkers) worker.on('error', early);
    const load = pool.loadWasmModuleToWorker.bind(pool);
    pool.loadWasmModuleToWorker = (worker, onFinishedLoading) => {
      load(worker, onFinishedLoading);
      const original = worker.onerror;
      worker.onerror = (error) => (started ? original?.(error) : failWorker(error));
    };
    module = await withTimeout(Promise.race([ready, workerFailed]), options.timeoutMs ?? THREADED_START_TIMEOUT_MS, 'the threaded module start');
    if (module.PThread.unusedWorkers.length < threads - 1) {
      throw new Error(`only ${module.PThread.unusedWorkers.length} pthread workers loaded`);
    }
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    setThreadsCount(threads);
    const ThreadedBackend = BackendWasm as unknown as new (module: ThreadedWasmModule) => tf.KernelBackend;
    const threaded = module;
    if (previous != null) tf.removeBackend('wasm');
    tf.registerBackend('wasm', () => new ThreadedBackend(threaded), 2);
    // Creates the thread pool (BackendWasm's constructor): synchronous, on workers that have already loaded.
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('BackendWasm failed to initialise on the threaded module');
    started = true;
    for (const worker of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) {
      worker.off('error', early);
      // A running pthread is ref'd by emscripten; the pool's threads never end, so it would hold the process open.
      worker.unref();
    }
    return { threads: getThreadsCount(), note };
  } catch (error) {
    setThreadsCount(-1);
    if (tf.engine().registry.wasm != null || tf.findBackendFactory('wasm') !== previous) {
      if (tf.findBackendFactory('wasm') != null) tf.removeBackend('wasm');
      if (previous != null) tf.registerBackend('wasm', previous, 2);
    }
    stopPthreads(config.PThread);
    throw error;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function stopPthreads(pool: PThreadPool | undefined): void {
  if (pool == null) return;
  try {
    pool.terminateAllThreads();
  } catch {
    for (const worker of [...pool.runningWorkers, ...pool.unusedWorkers]) worker.terminate();
  }
}

/**
 * Test helper, not exported: terminates the threaded module's workers and removes the `wasm` backend (its thread
 * pool would wait forever on the terminated threads). Lets a jest worker process run several test files.
 */
export function stopThreadedWasm(): void {
  const backend = tf.engine().registry.wasm as unknown as { wasm?: Partial<ThreadedWasmModule> } | undefined;
  const pool = backend?.wasm?.PThread;
  if (pool == null) return;
  tf.removeBackend('wasm');
  stopPthreads(pool);
}
