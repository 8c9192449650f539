/*
 * `npm run bench -w @fracture/backend`: for each study model at its input size, images/s of inference and of a
 * training step at an effective batch of 32 (micro-batches accumulated on wasm) on tfjs wasm and cpu, and on PyTorch
 * CPU (Debian's /usr/bin/python3, torch.set_num_threads(2)) in the same run, with the ratios.
 * Options: --models=cnn,resnet18,... --batch=32 --threads=1 (wasm threads; above 1 the threaded build) --no-torch --no-cpu
 * --micro-<model>=<n>. `--threads=1,2` measures each thread count in one invocation and prints one table: tfjs starts
 * its wasm backend once per process, so each model runs once per thread count in a child process of this script,
 * after PyTorch on the same model in this one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { selectBackend, trainStepAccumulated } from '../src/index';
import { loadModelFactory } from './model-factory';

const STUDY_SIZE: Record<string, number> = { cnn: 224, resnet18: 224, 'efficientnet-b3': 300, mobilenetv2: 224 };
// Largest micro-batch that trains within the 4 GiB wasm heap, measured on this package's kernels.
const MICRO_BATCH: Record<string, number> = { cnn: 32, resnet18: 16, 'efficientnet-b3': 2, mobilenetv2: 8 };
const CPU_TRAIN_SIZE = 32;

interface Row {
  model: string;
  size: number;
  wasmInfer: number;
  wasmTrain: number;
  wasmMicro: number;
  wasmPeakMiB: number;
  wasmHeapMiB: number;
  cpuInfer: number;
  cpuTrain: number;
  torch?: { inferImagesPerSecond: number; trainImagesPerSecond: number; peakRssMiB: number };
}

function option(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

function seconds(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

function batchOf(n: number, size: number, channels: number, seed: number) {
  const xs = tf.randomUniform([n, size, size, channels], 0, 1, 'float32', seed);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 2), 'int32'), 2));
  return { xs, ys };
}

function inferImagesPerSecond(model: tfl.LayersModel, n: number, size: number, channels: number): number {
  const { xs, ys } = batchOf(n, size, channels, 1);
  const run = () => tf.tidy(() => (model.predict(xs) as tf.Tensor).dataSync());
  run(); // warm-up
  const s = seconds(run);
  tf.dispose([xs, ys]);
  return n / s;
}

async function trainImagesPerSecond(
  model: tfl.LayersModel,
  n: number,
  micro: number,
  size: number,
  channels: number,
): Promise<{ rate: number; peakMiB: number }> {
  const { xs, ys } = batchOf(n, size, channels, 2);
  const optimizer = tf.train.sgd(0.01);
  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = (x: tf.Tensor, y: tf.Tensor) =>
    tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
  // Warm-up on one micro-batch, which is also where the peak is measured: accumulation adds only the gradient
  // sums (the size of the weights) to it, and profiling a whole accumulated step overflows tf.profile's records.
  const w = batchOf(Math.min(micro, n), size, channels, 3);
  const info = await tf.profile(() => {
    trainStepAccumulated(optimizer, loss, w.xs, w.ys, { microBatchSize: micro, varList });
  });
  tf.dispose([w.xs, w.ys]);
  const elapsed = seconds(() => trainStepAccumulated(optimizer, loss, xs, ys, { microBatchSize: micro, varList }));
  tf.dispose([xs, ys]);
  optimizer.dispose();
  return { rate: n / elapsed, peakMiB: info.peakBytes / 2 ** 20 };
}

/** One PyTorch measurement per call, so a slow model cannot take the others' results with it. */
function runTorch(model: string, batch: number): Row['torch'] {
  const python = '/usr/bin/python3';
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'pytorch_bench.py');
  if (!existsSync(python) || !existsSync(script)) {
    console.log('PyTorch: /usr/bin/python3 or pytorch_bench.py not found, skipped');
    return undefined;
  }
  const result = spawnSync(python, [script, `--models=${model}`, `--batch=${batch}`, '--threads=2', `--repeats=${option('torch-repeats', '3')}`], {
    encoding: 'utf8',
    timeout: 900_000,
  });
  if (result.status !== 0) {
    console.log(`PyTorch ${model}: failed (${(result.stderr || String(result.error)).trim().split('\n').pop()})`);
    return undefined;
  }
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Row['torch'];
}

/** `--threads=1` or `--threads=1,2`: the wasm thread counts to measure, in order. */
function threadCounts(): number[] {
  const raw = option('threads', '1');
  const counts = raw.split(',').map((s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : NaN));
  if (counts.some((n) => !Number.isSafeInteger(n) || n < 1) || new Set(counts).size !== counts.length) {
    throw new Error(`run-bench: --threads must be distinct positive integers separated by commas, got '${raw}'`);
  }
  return counts;
}

/** Marks the line a child run prints for its parent (`--rows-for-parent`), among its human-readable output. */
const ROW_MARK = 'bench-row ';

async function main(): Promise<void> {
  const counts = threadCounts();
  if (counts.length > 1) return measureThreadCounts(counts);
  const factory = await loadModelFactory();
  if (!factory) {
    console.log('bench: @fracture/models is not built (npm run build -w @fracture/models); nothing to measure');
    return;
  }
  const models = option('models', 'cnn,resnet18,efficientnet-b3,mobilenetv2').split(',');
  const batch = Number(option('batch', '32'));
  const rows: Row[] = [];
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}, Node ${process.version}`);

  const threads = counts[0]!;
  // env: {} so FRACTURE_* variables cannot change what --threads says.
  const chosen = await selectBackend({ prefer: 'wasm', allowTensorflow: false, env: {}, threads });
  console.log(`wasm: ${chosen.reason}`);
  console.log(`wasm threads: ${chosen.threads} (requested ${threads})`);
  for (const name of models) {
    try {
      // PyTorch right before tfjs for each model, so both see similar machine load.
      const torch = flag('no-torch') ? undefined : runTorch(name, batch);
      rows.push(await measure(name, factory, batch, torch));
      console.log(JSON.stringify(rows[rows.length - 1]));
      if (flag('rows-for-parent')) console.log(`${ROW_MARK}${JSON.stringify({ threads: chosen.threads, row: rows[rows.length - 1] })}`);
    } catch (error) {
      console.log(`${name}: failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // A child of --threads=1,2 leaves the table to its parent.
  if (!flag('rows-for-parent')) printTable(rows, batch, chosen.threads);
}

async function measure(
  name: string,
  factory: NonNullable<Awaited<ReturnType<typeof loadModelFactory>>>,
  batch: number,
  torchRow: Row['torch'],
): Promise<Row> {
  const size = STUDY_SIZE[name]!;
  await tf.setBackend('wasm');
  const model = factory(name, size);
  const channels = model.inputs[0]!.shape[3] as number;
  const micro = Math.min(batch, Number(option(`micro-${name}`, String(MICRO_BATCH[name] ?? 4))));
  const wasmInfer = inferImagesPerSecond(model, batch, size, channels);
  const train = await trainImagesPerSecond(model, batch, micro, size, channels);
  const heap = (tf.engine().backend as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length / 2 ** 20;
  model.dispose();

  let cpuInfer = NaN;
  let cpuTrain = NaN;
  if (!flag('no-cpu')) {
    // The cpu backend takes minutes per image to train: one image inferred at the study size, and one training
    // step at 32 px scaled by the pixel ratio (an optimistic extrapolation).
    await tf.setBackend('cpu');
    const cpuModel = factory(name, size);
    cpuInfer = inferImagesPerSecond(cpuModel, 1, size, channels);
    cpuModel.dispose();
    const small = factory(name, CPU_TRAIN_SIZE);
    const step = await trainImagesPerSecond(small, 1, 1, CPU_TRAIN_SIZE, channels);
    cpuTrain = step.rate / (size / CPU_TRAIN_SIZE) ** 2;
    small.dispose();
  }
  return { model: name, size, wasmInfer, wasmTrain: train.rate, wasmMicro: micro, wasmPeakMiB: train.peakMiB, wasmHeapMiB: heap, cpuInfer, cpuTrain, torch: torchRow };
}

/** One model's wasm figures on one thread count, as a child run reported them. */
interface ThreadRun {
  threads: number;
  row: Row;
}

/**
 * Runs this script once per model and thread count in a child process (`--threads=<n> --no-torch`) and PyTorch
 * here, just before the model's wasm runs, so they see similar load; the cpu backend, which has no threads, runs
 * only in the first child. Prints one table with every thread count side by side.
 */
async function measureThreadCounts(counts: number[]): Promise<void> {
  const models = option('models', 'cnn,resnet18,efficientnet-b3,mobilenetv2').split(',');
  const batch = Number(option('batch', '32'));
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}, Node ${process.version}; wasm threads ${counts.join(', ')}, each in its own process`);
  const script = fileURLToPath(import.meta.url);
  const passOn = process.argv.slice(2).filter((a) => !/^--(threads|models)=/.test(a) && a !== '--rows-for-parent');
  const table: { model: string; size: number; torch: Row['torch']; runs: (ThreadRun | undefined)[] }[] = [];
  for (const name of models) {
    const torch = flag('no-torch') ? undefined : runTorch(name, batch);
    const runs = counts.map((threads, i) => {
      const args = [script, ...passOn, `--models=${name}`, `--threads=${threads}`, '--no-torch', '--rows-for-parent'];
      if (i > 0 && !args.includes('--no-cpu')) args.push('--no-cpu');
      // FRACTURE_* cleared as in the single run, so only --threads decides the thread count.
      const child = spawnSync(process.execPath, args, {
        encoding: 'utf8',
        env: { ...process.env, FRACTURE_BACKEND: '', FRACTURE_WASM_THREADS: '' },
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 64 * 2 ** 20,
      });
      const lines = (child.stdout ?? '').split('\n');
      for (const line of lines) if (line !== '' && !line.startsWith(ROW_MARK)) console.log(`  [${threads} thread${threads === 1 ? '' : 's'}] ${line}`);
      const marked = lines.find((line) => line.startsWith(ROW_MARK));
      if (child.status !== 0 || marked === undefined) {
        console.log(`${name} on ${threads} threads: failed (exit ${child.status ?? child.signal})`);
        return undefined;
      }
      return JSON.parse(marked.slice(ROW_MARK.length)) as ThreadRun;
    });
    table.push({ model: name, size: STUDY_SIZE[name] ?? NaN, torch, runs });
  }

  // A child's NaN (cpu not measured) arrives as JSON null.
  const f = (v: number | null | undefined, digits = 2) => (v == null || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));
  const ratio = (a: number | null | undefined, b: number | null | undefined) => (a == null || b == null ? 'n/a' : f(a / b));
  const label = (run: ThreadRun | undefined, requested: number) =>
    run === undefined || run.threads === requested ? `${requested}` : `${requested} (ran ${run.threads})`;
  console.log(
    `\nimages/s, batch ${batch}; wasm training: micro-batches accumulated, size in brackets; PyTorch (2 threads, allocator as tools/torch-reference/allocator.py) in the same invocation; ratios wasm ÷ PyTorch`,
  );
  const heads = counts.map((n, i) => `wasm ${label(table[0]?.runs[i], n)} thr infer / train`);
  console.log(`| model | size | ${heads.join(' | ')} | PyTorch infer / train | wasm ÷ PyTorch infer (${counts.join(', ')} thr) | wasm ÷ PyTorch train (${counts.join(', ')} thr) | cpu infer / train* |`);
  console.log(`|---|---|${counts.map(() => '---|').join('')}---|---|---|---|`);
  for (const { model, size, torch, runs } of table) {
    const cells = runs.map((run) => (run ? `${f(run.row.wasmInfer)} / ${f(run.row.wasmTrain)} [${run.row.wasmMicro}]` : 'failed'));
    const inferRatios = runs.map((run) => ratio(run?.row.wasmInfer, torch?.inferImagesPerSecond)).join(', ');
    const trainRatios = runs.map((run) => ratio(run?.row.wasmTrain, torch?.trainImagesPerSecond)).join(', ');
    const cpu = runs[0] ? `${f(runs[0].row.cpuInfer)} / ${f(runs[0].row.cpuTrain, 4)}` : 'n/a';
    console.log(`| ${model} | ${size} | ${cells.join(' | ')} | ${f(torch?.inferImagesPerSecond)} / ${f(torch?.trainImagesPerSecond)} | ${inferRatios} | ${trainRatios} | ${cpu} |`);
  }
  console.log(`* cpu: inference of 1 image; training extrapolated from one ${CPU_TRAIN_SIZE}-px single-image step`);
}

function printTable(rows: Row[], batch: number, threads: number): void {
  const f = (v: number | undefined, digits = 2) => (v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));
  console.log(
    `\nimages/s, batch ${batch}, tfjs wasm on ${threads} thread${threads === 1 ? '' : 's'} (wasm training: micro-batches accumulated, size in brackets); ratios to PyTorch (allocator as tools/torch-reference/allocator.py)`,
  );
  console.log('| model | size | PyTorch infer / train | wasm infer / train | wasm / PyTorch infer, train | cpu infer / train* | wasm tensor peak / heap MiB | PyTorch peak RSS MiB |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const t = r.torch;
    console.log(
      `| ${r.model} | ${r.size} | ${f(t?.inferImagesPerSecond)} / ${f(t?.trainImagesPerSecond)} | ${f(r.wasmInfer)} / ${f(r.wasmTrain)} [${r.wasmMicro}] | ` +
        `${t ? f(r.wasmInfer / t.inferImagesPerSecond) : 'n/a'}, ${t ? f(r.wasmTrain / t.trainImagesPerSecond) : 'n/a'} | ` +
        `${f(r.cpuInfer)} / ${f(r.cpuTrain, 4)} | ${f(r.wasmPeakMiB, 0)} / ${f(r.wasmHeapMiB, 0)} | ${f(t?.peakRssMiB, 0)} |`,
    );
  }
  console.log(`* cpu: inference of 1 image; training extrapolated from one ${CPU_TRAIN_SIZE}-px single-image step`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
