/*
 * `npm run bench:peak -w @fracture/backend [-- --seconds=1 --repeats=5 --threads=1,2]`: the floating-point peak
 * WebAssembly reaches on this machine, the ceiling to hold the kernels' GFLOP/s against. Runs bench/peak-flops.wat
 * (12 independent f32x4 multiply-then-add chains) and, where relaxed SIMD is available (after `enableRelaxedSimd`,
 * so Node 20 gets V8's flag), bench/peak-flops-relaxed.wat (the same chains as f32x4.relaxed_madd), on one thread
 * and on n worker_threads at once, and prints GFLOP/s, elapsed and (Linux) per second on a CPU. The .wat files are compiled here with wabt at run time:
 * benches are dev-only, and the shipped kernels' build script stays untouched.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import wabtFactory from 'wabt';
import { enableRelaxedSimd } from '../src/relaxed-simd';

/** Flops per step of the loop: 12 chains x 4 lanes x (multiply + add). relaxed_madd counts as the same two. */
const FLOPS_PER_STEP = 12 * 4 * 2;

type VariantName = 'mul_add' | 'relaxed_madd';

interface Variant {
  name: VariantName;
  file: string;
  label: string;
}

const VARIANTS: readonly Variant[] = [
  { name: 'mul_add', file: 'peak-flops.wat', label: 'SIMD128 f32x4.mul + f32x4.add' },
  { name: 'relaxed_madd', file: 'peak-flops-relaxed.wat', label: 'relaxed SIMD f32x4.relaxed_madd' },
];

/** What a worker (or the main thread) is asked to time. */
interface Job {
  bytes: Uint8Array;
  name: VariantName;
  steps: number;
  repeats: number;
}

/** Seconds per timed call, one entry per repeat: elapsed, and on the CPU (null where the system cannot say). */
interface Timings {
  wall: number[];
  cpu: (number | null)[];
}

// The project's lib has no WebAssembly typings (they come with the DOM lib); only what is used here.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

function option(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

function positiveNumber(name: string, fallback: string, integer: boolean): number {
  const raw = option(name, fallback);
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`peak-flops: --${name} must be a positive ${integer ? 'integer' : 'number'}, got '${raw}'`);
  }
  return value;
}

function threadCounts(): number[] {
  const raw = option('threads', '1,2');
  const counts = raw.split(',').map((s) => Number(s.trim()));
  if (counts.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`peak-flops: --threads must be a comma-separated list of positive integers, got '${raw}'`);
  }
  return counts;
}

/**
 * Seconds this thread has run on a CPU (Linux: the first field of /proc/thread-self/schedstat, in ns), or null.
 * On a shared machine the elapsed time includes the time other processes had the core; the on-CPU rate is what the
 * loop does per second it actually runs, so it stays comparable across loads (less so for frequency and caches).
 */
function threadCpuSeconds(): number | null {
  try {
    const ns = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1e9 : null;
  } catch {
    return null;
  }
}

function compileWat(wabt: Awaited<ReturnType<typeof wabtFactory>>, file: string): Uint8Array {
  // This runs as the bundle bench/.out/peak-flops.mjs; the .wat files sit in bench/.
  const path = join(dirname(fileURLToPath(import.meta.url)), '..', file);
  const module = wabt.parseWat(file, readFileSync(path, 'utf8'), { simd: true, relaxed_simd: true });
  try {
    return module.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}

function instantiate(bytes: Uint8Array, name: VariantName): (steps: number) => number {
  const instance = new webAssembly.Instance(new webAssembly.Module(bytes), {});
  const run = instance.exports[name];
  if (typeof run !== 'function') throw new Error(`peak-flops: the module exports no function '${name}'`);
  return run as (steps: number) => number;
}

/**
 * Times `repeats` calls of `steps` steps after a warm-up: V8 first compiles wasm with its baseline compiler and
 * swaps in the optimised code only for later calls (there is no on-stack replacement for wasm), so the first calls
 * run slower code and are not counted.
 */
function timeJob(job: Job): Timings {
  const run = instantiate(job.bytes, job.name);
  const warmUpUntil = performance.now() + 300;
  while (performance.now() < warmUpUntil) run(Math.max(1, job.steps >> 4));
  const timings: Timings = { wall: [], cpu: [] };
  for (let r = 0; r < job.repeats; r++) {
    const c0 = threadCpuSeconds();
    const t0 = performance.now();
    const sum = run(job.steps);
    timings.wall.push((performance.now() - t0) / 1000);
    const c1 = threadCpuSeconds();
    timings.cpu.push(c0 === null || c1 === null ? null : c1 - c0);
    // Every lane converges to b / (1 - a) = 1 (0.999^steps of its start is left), so 48 lanes sum to 48: a loop
    // that skipped work or computed something else would not.
    if (job.steps >= 100_000 && Math.abs(sum - 48) > 0.05) {
      throw new Error(`peak-flops: ${job.name} returned ${sum} after ${job.steps} steps, expected 48`);
    }
  }
  return timings;
}

/** Runs the same job on `threads` workers at once; each reports its own timings. */
async function onWorkers(job: Job, threads: number): Promise<Timings[]> {
  const script = fileURLToPath(import.meta.url);
  const workers = Array.from({ length: threads }, () => new Worker(script, { workerData: job }));
  try {
    return await Promise.all(
      workers.map(
        (worker) =>
          new Promise<Timings>((resolve, reject) => {
            worker.once('message', (timings: Timings) => resolve(timings));
            worker.once('error', reject);
            worker.once('exit', (code) => reject(new Error(`peak-flops: a worker exited with code ${code} before reporting`)));
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<void> {
  const seconds = positiveNumber('seconds', '1', false);
  const repeats = positiveNumber('repeats', '5', true);
  const counts = threadCounts();
  const relaxed = enableRelaxedSimd();
  const wabt = await wabtFactory();
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`relaxed SIMD: ${relaxed.detail}`);

  const rows: string[] = [];
  for (const variant of VARIANTS) {
    if (variant.name === 'relaxed_madd' && !relaxed.available) {
      rows.push(`| ${variant.label} | ${counts.map(() => 'n/a (no relaxed SIMD) | n/a').join(' | ')} |`);
      continue;
    }
    const bytes = compileWat(wabt, variant.file);
    // Calibrate on this thread so that one timed call lasts about `seconds`.
    const probe = instantiate(bytes, variant.name);
    const calibrationSteps = 2_000_000;
    for (let i = 0; i < 20; i++) probe(calibrationSteps >> 4);
    const t0 = performance.now();
    probe(calibrationSteps);
    const perStep = (performance.now() - t0) / 1000 / calibrationSteps;
    const steps = Math.min(2 ** 31 - 1, Math.max(1, Math.round(seconds / perStep)));
    const job: Job = { bytes, name: variant.name, steps, repeats };

    const cells: string[] = [];
    for (const threads of counts) {
      // One thread on the main thread; several on workers started together, each timing its own calls. The
      // aggregate is the sum of the workers' rates (their calls overlap, apart from start-up skew).
      const perWorker = threads === 1 ? [timeJob(job)] : await onWorkers(job, threads);
      const gflops = (s: number) => (FLOPS_PER_STEP * steps) / s / 1e9;
      const rates = perWorker.map((t) => gflops(Math.min(...t.wall)));
      const best = rates.reduce((a, b) => a + b, 0);
      const typical = perWorker.map((t) => gflops(median(t.wall))).reduce((a, b) => a + b, 0);
      const cpuTimes = perWorker.map((t) => t.cpu.filter((c): c is number => c !== null && c > 0));
      const onCpu = cpuTimes.every((c) => c.length > 0) ? cpuTimes.map((c) => gflops(Math.min(...c))).reduce((a, b) => a + b, 0) : null;
      // The share of the elapsed time the threads were on a CPU: 100 % on an idle machine.
      const share = onCpu === null ? null : perWorker.map((t) => t.cpu.reduce<number>((a, c) => a + (c ?? 0), 0) / t.wall.reduce((a, w) => a + w, 0));
      cells.push(`${best.toFixed(1)} (median ${typical.toFixed(1)}) | ${onCpu === null ? 'n/a' : onCpu.toFixed(1)}`);
      console.log(
        `${variant.name}, ${threads} thread${threads === 1 ? '' : 's'}: best ${best.toFixed(1)} GFLOP/s, median ${typical.toFixed(1)}` +
          `${threads > 1 ? ` (per thread: ${rates.map((r) => r.toFixed(1)).join(', ')})` : ''}` +
          `${onCpu === null ? '' : `; on-CPU ${onCpu.toFixed(1)} GFLOP/s, on a CPU ${share!.map((x) => `${(100 * x).toFixed(0)} %`).join(', ')} of the time`}`,
      );
    }
    rows.push(`| ${variant.label} | ${cells.join(' | ')} |`);
  }
  console.log(
    `\nGFLOP/s, best of ${repeats} calls of about ${seconds} s (median in brackets), and per second on a CPU (best; Linux only); load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  console.log(`| loop | ${counts.map((n) => `${n} thread${n === 1 ? '' : 's'} | ${n} thread${n === 1 ? '' : 's'} on-CPU`).join(' | ')} |`);
  console.log(`|---|${counts.map(() => '---|---').join('|')}|`);
  for (const row of rows) console.log(row);
}

if (isMainThread) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  // V8's flags are per process, so the flag the main thread set already covers this worker's compile.
  parentPort!.postMessage(timeJob(workerData as Job));
}
