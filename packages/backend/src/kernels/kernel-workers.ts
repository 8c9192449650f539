import { Worker } from 'node:worker_threads';

/*
 * Our SIMD kernels run on the calling thread, while XNNPACK spreads its convolutions over every thread of the
 * threaded build. To split our own kernels the same way, each worker instantiates the kernel module on the very
 * same shared heap and waits on a futex (Atomics.wait) for a call; the caller runs its share itself and then waits
 * for the workers. A call costs a wake-up (tens of microseconds), so only kernels that run for milliseconds use it.
 * XNNPACK's threads are idle while one of our kernels runs, so the cores are not oversubscribed.
 */

// The project's lib has no WebAssembly typings (they come with the DOM lib); only what is used here.
interface SharedMemoryLike {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WebAssemblyApi {
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const webAssembly = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;

/** Per worker: the call counter the worker waits on, the last call it finished, the function, its status. */
const SLOTS = 4;
const SEQ = 0;
const DONE = 1;
const FN = 2;
const STATUS = 3;
/** Arguments per call; our kernels take at most 18. */
const MAX_ARGS = 32;
const READY_TIMEOUT_MS = 30_000;

export interface KernelWorkerOptions {
  /** The compiled kernel module (its shared-memory build): `WebAssembly.Module`. */
  module: object;
  /** The heap the module imports as `env.memory`; must be shared (the threaded build's). */
  memory: SharedMemoryLike;
  /** Workers besides the calling thread. */
  workers: number;
  /** How long a call may take before it is reported as hung. Default 10 minutes. */
  callTimeoutMs?: number;
}

/** Threads that run one kernel module's functions on one shared heap. */
export interface KernelWorkers {
  /** The calling thread plus the workers. */
  readonly threads: number;
  /**
   * Calls the export `fn` once per thread with that thread's arguments (the first list on the calling thread) and
   * returns when every call has finished. Each call must write memory no other call of the same `run` touches.
   */
  run(fn: string, argsPerThread: readonly (readonly number[])[]): void;
  /** Stops the workers; `run` then throws. */
  terminate(): void;
}

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, args, index, names } = workerData;
const ctl = new Int32Array(control);
const argv = new Float64Array(args);
const base = index * ${SLOTS};
const argBase = index * ${MAX_ARGS};
let instance;
try {
  instance = new WebAssembly.Instance(module, { env: { memory } });
  Atomics.store(ctl, base + ${STATUS}, 1);
} catch (error) {
  Atomics.store(ctl, base + ${STATUS}, -1);
}
Atomics.notify(ctl, base + ${STATUS});
let seen = 0;
while (instance) {
  Atomics.wait(ctl, base + ${SEQ}, seen);
  seen = Atomics.load(ctl, base + ${SEQ});
  const word = ctl[base + ${FN}];
  const fn = instance.exports[names[word & 0xffff]];
  const argc = word >>> 16;
  let status = 1;
  try {
    fn(...argv.subarray(argBase, argBase + argc));
  } catch (error) {
    status = 2;
  }
  Atomics.store(ctl, base + ${STATUS}, status);
  Atomics.store(ctl, base + ${DONE}, seen);
  Atomics.notify(ctl, base + ${DONE});
}
`;

/**
 * Starts `workers` threads running `module` on `memory` and waits until they are ready, or returns null where that
 * cannot work (no shared heap, no WebAssembly, a worker that fails to instantiate); the caller then runs its
 * kernels on one thread.
 */
export function startKernelWorkers(options: KernelWorkerOptions): KernelWorkers | null {
  const { module, memory, workers } = options;
  if (!Number.isInteger(workers) || workers < 0) throw new Error(`startKernelWorkers: workers must be a non-negative integer, got ${workers}`);
  if (webAssembly == null || typeof SharedArrayBuffer === 'undefined' || !(memory.buffer instanceof SharedArrayBuffer)) return null;
  const callTimeoutMs = options.callTimeoutMs ?? 600_000;
  const own = new webAssembly.Instance(module, { env: { memory } });
  const names = Object.keys(own.exports).filter((name) => typeof own.exports[name] === 'function');
  const control = new SharedArrayBuffer(Math.max(1, workers) * SLOTS * 4);
  const args = new SharedArrayBuffer(Math.max(1, workers) * MAX_ARGS * 8);
  const ctl = new Int32Array(control);
  const argv = new Float64Array(args);
  const threads: Worker[] = [];
  const stop = () => {
    for (const worker of threads) void worker.terminate();
    threads.length = 0;
  };
  for (let index = 0; index < workers; index++) {
    // execArgv []: the script is CommonJS, and a worker would otherwise inherit flags such as --input-type=module.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { module, memory, control, args, index, names } });
    // A worker that dies reports through its ready slot (the start then gives up), never as an uncaught error.
    worker.on('error', () => {
      Atomics.store(ctl, index * SLOTS + STATUS, -1);
      Atomics.notify(ctl, index * SLOTS + STATUS);
    });
    // Never keeps a process alive: a worker parked in Atomics.wait has nothing left to do once the caller ends.
    worker.unref();
    threads.push(worker);
  }
  // Node starts workers on their own threads, so the caller may block until they are ready.
  for (let index = 0; index < workers; index++) {
    const slot = index * SLOTS + STATUS;
    if (Atomics.wait(ctl, slot, 0, READY_TIMEOUT_MS) === 'timed-out' || Atomics.load(ctl, slot) !== 1) {
      stop();
      return null;
    }
  }

  let terminated = false;
  let calls = 0;
  return {
    threads: workers + 1,
    run(fn, argsPerThread) {
      if (terminated) throw new Error('KernelWorkers.run: the workers were terminated');
      const word = names.indexOf(fn);
      if (word < 0) throw new Error(`KernelWorkers.run: the module has no function '${fn}'`);
      if (argsPerThread.length === 0 || argsPerThread.length > workers + 1) {
        throw new Error(`KernelWorkers.run: expected 1 to ${workers + 1} argument lists, got ${argsPerThread.length}`);
      }
      for (const list of argsPerThread) {
        if (list.length > MAX_ARGS) throw new Error(`KernelWorkers.run: at most ${MAX_ARGS} arguments, got ${list.length}`);
      }
      calls += 1;
      const started = argsPerThread.length - 1;
      for (let index = 0; index < started; index++) {
        const list = argsPerThread[index + 1]!;
        argv.set(list, index * MAX_ARGS);
        ctl[index * SLOTS + FN] = word | (list.length << 16);
        Atomics.store(ctl, index * SLOTS + SEQ, calls);
        Atomics.notify(ctl, index * SLOTS + SEQ);
      }
      let ownError: unknown;
      try {
        (own.exports[fn] as (...a: number[]) => void)(...argsPerThread[0]!);
      } catch (error) {
        ownError = error;
      }
      // Wait for every worker even when the caller's share failed: they may still be writing the heap.
      const failed: number[] = [];
      for (let index = 0; index < started; index++) {
        const done = index * SLOTS + DONE;
        const deadline = Date.now() + callTimeoutMs;
        for (let last = Atomics.load(ctl, done); last !== calls; last = Atomics.load(ctl, done)) {
          if (Date.now() > deadline) {
            terminated = true;
            stop();
            throw new Error(`KernelWorkers.run: worker ${index + 1} did not finish ${fn} within ${callTimeoutMs} ms; the workers were stopped`);
          }
          Atomics.wait(ctl, done, last, 1000);
        }
        if (Atomics.load(ctl, index * SLOTS + STATUS) !== 1) failed.push(index + 1);
      }
      if (ownError !== undefined) throw ownError;
      if (failed.length > 0) throw new Error(`KernelWorkers.run: ${fn} failed on worker ${failed.join(', ')} (a trap: an argument points outside the heap?)`);
    },
    terminate() {
      terminated = true;
      stop();
    },
  };
}
