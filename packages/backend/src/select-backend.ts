import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels';
import { detectRelaxedSimd, enableRelaxedSimd } from './relaxed-simd';
import { startThreadedWasm } from './threaded-wasm';
import type { WasmPackage } from './threaded-wasm';
import { guardWasmHeap } from './wasm-heap-guard';
import type { BackendAttempt, BackendSelection, EngineName, RelaxedSimdStatus, SelectBackendOptions } from './types';

/** Engines in the order `selectBackend` tries them. */
export const ENGINE_NAMES: readonly EngineName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

const PACKAGE_OF: Record<EngineName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

// A specifier the bundler and TypeScript cannot see through, so the optional engines stay optional.
const dynamicImport = (specifier: string): Promise<unknown> => import(/* webpackIgnore: true */ specifier);

/** wasm threads when neither `options.threads` nor `FRACTURE_WASM_THREADS` says otherwise (see the README). */
const DEFAULT_WASM_THREADS = 1;

function parseThreads(value: string): number {
  const threads = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new Error(`selectBackend: FRACTURE_WASM_THREADS must be a positive integer, got '${value}'`);
  }
  return threads;
}

function parseEngine(value: string, source: string): EngineName | 'auto' {
  const name = value.trim().toLowerCase();
  if (name === 'auto' || (ENGINE_NAMES as readonly string[]).includes(name)) return name as EngineName | 'auto';
  throw new Error(
    `selectBackend: unknown backend '${value}' in ${source}; valid names are ${['auto', ...ENGINE_NAMES].join(', ')}`,
  );
}

function message(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/**
 * True when `pkg` itself is absent, as opposed to installed but broken (a missing native library, a missing
 * dependency of its own): only the first is the normal state of an optional peer and deserves no alarm.
 */
function isNotInstalled(error: unknown, pkg: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  const quoted = new RegExp(`Cannot find (module|package) '${pkg.replace(/[/.]/g, '\\$&')}'`);
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === undefined) && quoted.test(error.message);
}

/**
 * Picks the fastest TensorFlow.js engine that starts on this machine and makes it the active backend:
 * `tensorflow-gpu` (tfjs-node-gpu), else `tensorflow` (tfjs-node), else `wasm` (SIMD, with this package's training
 * kernels), else `cpu`. `FRACTURE_BACKEND=<engine>` forces one engine and fails loudly if it cannot start.
 * `threads` (or `FRACTURE_WASM_THREADS`) above 1 starts tfjs-backend-wasm's threaded build; if that fails for any
 * reason, the single-threaded build runs and `reason` says why.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const env = options.env ?? (typeof process !== 'undefined' ? process.env : {});
  const load = options.loadModule ?? dynamicImport;
  const allowTensorflow = options.allowTensorflow ?? true;
  const wantKernels = options.trainingKernels ?? true;
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new Error(`selectBackend: threads must be a positive integer, got ${options.threads}`);
  }
  const threadsRaw = env.FRACTURE_WASM_THREADS;
  // Like FRACTURE_BACKEND, the environment wins over the caller: it is how a user overrides a program's choice.
  const threads =
    threadsRaw != null && threadsRaw.trim() !== '' ? parseThreads(threadsRaw) : (options.threads ?? DEFAULT_WASM_THREADS);

  const forcedRaw = env.FRACTURE_BACKEND;
  const forced = forcedRaw != null && forcedRaw.trim() !== '' ? parseEngine(forcedRaw, 'FRACTURE_BACKEND') : 'auto';
  const prefer = options.prefer === undefined ? 'auto' : parseEngine(options.prefer, 'options.prefer');

  let order: EngineName[];
  if (forced !== 'auto') {
    order = [forced];
  } else {
    const allowed = ENGINE_NAMES.filter((e) => allowTensorflow || !e.startsWith('tensorflow'));
    order = prefer === 'auto' ? allowed : [prefer, ...allowed.filter((e) => e !== prefer)];
  }

  // Before any engine starts: a wasm module is validated when it compiles, so a kernel module that wants relaxed
  // SIMD needs the flag set before the wasm backend (and everything it loads) comes up. V8's flags are global to
  // the process, so they are left alone when wasm cannot be chosen.
  const mayEnable = options.relaxedSimd !== false && order.includes('wasm');
  const relaxed: RelaxedSimdStatus = mayEnable
    ? enableRelaxedSimd()
    : detectRelaxedSimd()
      ? { available: true, enabledBy: 'engine', detail: 'yes (the engine supports it)' }
      : {
          available: false,
          enabledBy: null,
          detail: `no (not enabled: ${options.relaxedSimd === false ? 'relaxedSimd: false' : 'wasm is not among the engines to try'})`,
        };

  const tried: BackendAttempt[] = [];
  for (const engine of order) {
    try {
      const selection = await start(engine, load, threads, wantKernels, relaxed);
      const why =
        forced !== 'auto'
          ? `forced by FRACTURE_BACKEND=${forcedRaw!.trim()}`
          : tried.length === 0
            ? prefer === engine
              ? 'preferred by the caller'
              : 'fastest engine available'
            : `first engine that started (${tried.map((t) => (t.notInstalled ? `${t.engine}: ${PACKAGE_OF[t.engine]} is not installed` : `${t.engine} failed: ${t.error}`)).join('; ')})`;
      return { ...selection, reason: `${why}: ${selection.reason}`, tried };
    } catch (error) {
      const notInstalled = isNotInstalled(error, PACKAGE_OF[engine]);
      tried.push({ engine, error: notInstalled ? `${PACKAGE_OF[engine]} is not installed` : message(error), notInstalled });
    }
  }
  const detail = tried.map((t) => `${t.engine}: ${t.error}`).join('; ');
  throw new Error(
    forced !== 'auto'
      ? `selectBackend: FRACTURE_BACKEND=${forcedRaw!.trim()} could not start (${detail})`
      : `selectBackend: no TensorFlow.js engine could start (${detail})`,
  );
}

async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

async function start(
  engine: EngineName,
  load: (specifier: string) => Promise<unknown>,
  threads: number,
  wantKernels: boolean,
  relaxed: RelaxedSimdStatus,
): Promise<Omit<BackendSelection, 'tried'>> {
  const relaxedSimd = relaxed.available;
  const pkg = PACKAGE_OF[engine];
  switch (engine) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      await load(pkg); // registers the `tensorflow` backend as a side effect
      if (tf.findBackendFactory('tensorflow') == null) throw new Error(`${pkg} loaded but registered no 'tensorflow' backend`);
      await activate('tensorflow');
      return {
        name: 'tensorflow',
        engine,
        reason: `${pkg} (native libtensorflow)`,
        threads: 0,
        simd: false,
        trainingKernels: false,
        relaxedSimd,
      };
    }
    case 'wasm': {
      const wasm = (await load(pkg)) as WasmPackage;
      // tfjs starts a backend once per process; a later call can only report what runs.
      const running = tf.engine().registry.wasm != null;
      let note = '';
      if (threads > 1 && !running) {
        try {
          const threaded = await startThreadedWasm(wasm, threads);
          if (threaded.note) note = `; ${threaded.note}`;
        } catch (error) {
          note = `; the threaded build did not start (${message(error)}), so the single-threaded SIMD build runs`;
        }
      }
      if (wantKernels) registerWasmTrainingKernels();
      await activate('wasm');
      guardWasmHeap();
      const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
      // What runs, not what was asked for.
      const actual = wasm.getThreadsCount?.() ?? 1;
      const threadedBuild = (tf.backend() as unknown as { wasm?: { PThread?: unknown } }).wasm?.PThread != null;
      if (note === '' && actual !== threads) {
        note = running
          ? `; ${threads} threads requested, but the wasm backend was already running in this process with ${actual}`
          : `; ${threads} threads requested, the wasm build runs ${actual}`;
      }
      return {
        name: 'wasm',
        engine,
        reason: `${pkg}, ${simd ? 'SIMD' : 'no SIMD'}, ${actual} thread${actual === 1 ? '' : 's'}${threadedBuild ? ' (threaded build)' : ''}${wantKernels ? ', training kernels registered' : ''}, relaxed SIMD: ${relaxed.detail}${note}`,
        threads: actual,
        simd,
        trainingKernels: wantKernels,
        relaxedSimd,
      };
    }
    case 'cpu': {
      await load(pkg);
      await activate('cpu');
      return { name: 'cpu', engine, reason: `${pkg} (pure JavaScript, slow for training)`, threads: 1, simd: false, trainingKernels: false, relaxedSimd };
    }
  }
}
