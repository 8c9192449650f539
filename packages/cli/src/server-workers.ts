import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { TrainedModelInfo } from './trained-model';

/** One upload for a worker. */
export interface WorkerRequest {
  id: number;
  bytes: Uint8Array;
  name: string;
  explain: boolean;
  maxPixels?: number;
}

export type WorkerReply =
  | { id: number; ok: true; answer: Record<string, unknown> }
  | { id: number; ok: false; status: number; message: string };

/** What a worker receives as `workerData`. */
export interface PoolWorkerData {
  role: 'fracture-serve';
  modelDir: string;
  /** For a loader entry (tests): the module it should run. */
  target?: string;
}

/** A failed job, with the HTTP status that describes it. */
export class PoolJobError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'PoolJobError';
  }
}

export interface PredictionPoolOptions {
  modelDir: string;
  /** Worker threads. Default: one per core but one (left for the HTTP thread), at least 1, at most 4. */
  size?: number;
  /** Longest time one upload may take to decode and classify; its worker is then stopped and replaced. Default 30 s. */
  timeoutMs?: number;
  /** Uploads waiting for a worker beyond which new ones are refused with 503. Default 32 per worker. */
  maxQueue?: number;
  /** The worker's entry module; default `server-worker.js` beside this file (the build). */
  workerEntry?: string;
  /** Extra `workerData` for a loader entry (see {@link PoolWorkerData.target}). */
  workerTarget?: string;
}

export interface PredictionPool {
  readonly info: TrainedModelInfo;
  /** The model folder the workers loaded (the page's in-browser model is read from it). */
  readonly modelDir: string;
  readonly size: number;
  /** Jobs running or waiting. */
  readonly pending: number;
  predict(job: Omit<WorkerRequest, 'id'>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** The machine's cores but one for the HTTP thread, between 1 and 4 (each worker holds its own copy of the model). */
export function defaultPoolSize(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(4, cores - 1));
}

function defaultWorkerEntry(): string {
  // tsup's shims give the ESM build a __dirname too; both builds sit beside their worker entry in dist/.
  for (const name of ['server-worker.js', 'server-worker.cjs']) {
    const candidate = path.join(__dirname, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`createPredictionPool: no server-worker.js beside ${__dirname}; pass workerEntry (running from sources?)`);
}

interface Slot {
  worker: Worker;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

interface Job {
  request: WorkerRequest;
  resolve(answer: Record<string, unknown>): void;
  reject(error: Error): void;
}

/**
 * Worker threads that each load the model once and then decode, classify and explain uploads, so that a large
 * or hostile upload never blocks the thread answering HTTP (health checks, other clients). A job that outlives
 * `timeoutMs` has its worker terminated (the only way to stop a running decode) and replaced; a full queue
 * refuses new jobs instead of holding every upload in memory.
 */
export async function createPredictionPool(options: PredictionPoolOptions): Promise<PredictionPool> {
  const size = options.size ?? defaultPoolSize();
  if (!Number.isInteger(size) || size < 1) throw new Error(`createPredictionPool: size must be a positive integer, got ${size}`);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxQueue = options.maxQueue ?? 32 * size;
  const entry = options.workerEntry ?? defaultWorkerEntry();
  const data: PoolWorkerData = { role: 'fracture-serve', modelDir: path.resolve(options.modelDir), target: options.workerTarget };
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;
  let info: TrainedModelInfo | undefined;

  const start = (): Promise<Slot> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(entry, { workerData: data });
      const slot: Slot = { worker, job: null, timer: null };
      const onStartup = (message: { type?: string; info?: TrainedModelInfo; message?: string }) => {
        if (message.type === 'ready') {
          info ??= message.info;
          worker.off('message', onStartup);
          worker.on('message', (reply: WorkerReply) => finish(slot, reply));
          resolve(slot);
        } else if (message.type === 'failed') {
          void worker.terminate();
          reject(new Error(`createPredictionPool: ${message.message}`));
        }
      };
      worker.on('message', onStartup);
      worker.once('error', (error) => {
        reject(error);
        crashed(slot, error);
      });
    });

  const finish = (slot: Slot, reply: WorkerReply) => {
    const job = slot.job;
    if (!job || job.request.id !== reply.id) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = null;
    slot.timer = null;
    if (reply.ok) job.resolve(reply.answer);
    else job.reject(new PoolJobError(reply.status, reply.message));
    dispatch();
  };

  const replace = (slot: Slot) => {
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    void slot.worker.terminate();
    if (closed) return;
    start().then(
      (fresh) => {
        if (closed) void fresh.worker.terminate();
        else {
          slots.push(fresh);
          dispatch();
        }
      },
      () => {
        // The model loaded before, so a failed restart is unexpected: fail what waits rather than hang.
        if (slots.length === 0) for (const job of queue.splice(0)) job.reject(new PoolJobError(503, 'no prediction worker could be restarted'));
      },
    );
  };

  const crashed = (slot: Slot, error: Error) => {
    if (slot.timer) clearTimeout(slot.timer);
    slot.job?.reject(new PoolJobError(500, `prediction worker failed: ${error.message}`));
    slot.job = null;
    replace(slot);
  };

  const dispatch = () => {
    for (const slot of slots) {
      if (slot.job || queue.length === 0) continue;
      const job = queue.shift() as Job;
      slot.job = job;
      slot.timer = setTimeout(() => {
        slot.job = null;
        job.reject(new PoolJobError(503, `decoding and classifying ${job.request.name} took longer than ${timeoutMs / 1000} s; stopped`));
        replace(slot);
      }, timeoutMs);
      // A copy of its own, transferred: the upload's Buffer may share Node's pooled memory with other requests.
      const bytes = new Uint8Array(job.request.bytes);
      slot.worker.postMessage({ ...job.request, bytes }, [bytes.buffer]);
    }
  };

  try {
    slots.push(...(await Promise.all(Array.from({ length: size }, start))));
  } catch (error) {
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
    throw error;
  }

  return {
    get info() {
      return info as TrainedModelInfo;
    },
    modelDir: data.modelDir,
    size,
    get pending() {
      return queue.length + slots.filter((slot) => slot.job).length;
    },
    predict(job) {
      if (closed) return Promise.reject(new PoolJobError(503, 'the server is shutting down'));
      if (queue.length >= maxQueue) return Promise.reject(new PoolJobError(503, `busy: ${queue.length} uploads are waiting; try again shortly`));
      return new Promise((resolve, reject) => {
        queue.push({ request: { ...job, id: nextId++ }, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new PoolJobError(503, 'the server is shutting down'));
      await Promise.all(
        slots.splice(0).map((slot) => {
          if (slot.timer) clearTimeout(slot.timer);
          slot.job?.reject(new PoolJobError(503, 'the server is shutting down'));
          return slot.worker.terminate();
        }),
      );
    },
  };
}
