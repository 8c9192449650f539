/*
 * Inference images/s (batch 1 and batch 32) and training-step images/s (batch 32) of the four models at
 * their study input sizes on the best available tfjs backend, next to PyTorch CPU's figures for the same
 * model and batch measured in the same run (bench/torch_bench.py, torch.set_num_threads(2)).
 * Options: --models=cnn,resnet18 --long (more repeats) --no-torch --no-train
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createModel, getModelSpec, MODEL_NAMES } from '../src/index';
import type { ModelName } from '../src/index';

const BATCH = 32;
// Largest micro-batches that train inside the 4 GiB wasm heap (packages/backend's measurements): the
// batch of 32 is accumulated over BATCH / micro forward-backward passes, one optimiser step.
const MICRO_BATCH: Record<ModelName, number> = { cnn: 16, resnet18: 16, 'efficientnet-b3': 2, mobilenetv2: 8 };

interface TorchRow {
  model: string;
  infer1: number;
  inferBatch: number;
  train: number;
}

function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}
const flag = (name: string) => process.argv.includes(`--${name}`);

function bestRate(images: number, repeats: number, fn: () => void): number {
  fn(); // warm-up: kernel setup, first allocations
  let best = Infinity;
  for (let r = 0; r < repeats; r += 1) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return images / best;
}

function inferOnce(model: tfl.LayersModel, x: tf.Tensor): void {
  const y = model.predict(x) as tf.Tensor;
  y.dataSync();
  y.dispose();
}

function trainStep(model: tfl.LayersModel, optimizer: tf.Optimizer, xs: tf.Tensor, ys: tf.Tensor, micro: number): void {
  const n = xs.shape[0]!;
  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let sum: tf.NamedTensorMap | null = null;
  for (let start = 0; start < n; start += micro) {
    const size = Math.min(micro, n - start);
    const { value, grads } = tf.tidy(() => {
      const x = tf.slice(xs, start, size);
      const y = tf.slice(ys, start, size);
      // Weighted by the slice's share so the summed gradient is the whole batch's mean-loss gradient.
      return tf.variableGrads(
        () => tf.mul(tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor), size / n) as tf.Scalar,
        varList,
      );
    });
    value.dispose();
    if (sum === null) {
      sum = grads;
    } else {
      for (const key of Object.keys(grads)) {
        const next = tf.add(sum[key]!, grads[key]!);
        tf.dispose([sum[key]!, grads[key]!]);
        sum[key] = next;
      }
    }
  }
  optimizer.applyGradients(sum!);
  tf.dispose(Object.values(sum!));
}

function runTorch(models: ModelName[], repeats: number): Map<string, TorchRow> {
  const rows = new Map<string, TorchRow>();
  const script = join(process.cwd(), 'bench', 'torch_bench.py');
  if (flag('no-torch') || !existsSync('/usr/bin/python3') || !existsSync(script)) {
    console.log('PyTorch: skipped (--no-torch, or /usr/bin/python3 / bench/torch_bench.py missing)');
    return rows;
  }
  const run = spawnSync('/usr/bin/python3', [script, `--models=${models.join(',')}`, '--threads=2', `--repeats=${repeats}`], {
    encoding: 'utf8',
    timeout: 3_600_000,
  });
  if (run.status !== 0) {
    console.log(`PyTorch: failed (${run.stderr.trim().split('\n').at(-1) ?? 'no message'})`);
    return rows;
  }
  for (const line of run.stdout.trim().split('\n')) {
    const row = JSON.parse(line) as TorchRow;
    rows.set(row.model, row);
  }
  return rows;
}

export async function runModelsBench(chooseBackend: () => Promise<string>): Promise<void> {
  const models = (option('models')?.split(',') ?? [...MODEL_NAMES]) as ModelName[];
  for (const m of models) if (!MODEL_NAMES.includes(m)) throw new Error(`models.bench: unknown model '${m}'`);
  const long = flag('long');
  const repeats = long ? 3 : 1;
  const backend = await chooseBackend();
  console.log(`tfjs backend: ${backend}`);
  console.log(`PyTorch: /usr/bin/python3, torch.set_num_threads(2); ${long ? 'long run' : 'short run (--long for more repeats)'}`);
  const torch = runTorch(models, repeats);

  const rows: string[] = [];
  for (const name of models) {
    const { inputSize } = getModelSpec(name);
    const model = createModel(name);
    const x1 = tf.randomUniform([1, inputSize, inputSize, 3], 0, 1, 'float32', 1);
    const infer1 = bestRate(1, long ? 10 : 3, () => inferOnce(model, x1));
    x1.dispose();
    const xb = tf.randomUniform([BATCH, inputSize, inputSize, 3], 0, 1, 'float32', 2);
    const inferBatch = bestRate(BATCH, repeats, () => inferOnce(model, xb));
    let train = NaN;
    if (!flag('no-train')) {
      const ys = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % 2), 'int32'), 2);
      const optimizer = tf.train.adam(1e-4);
      train = bestRate(BATCH, repeats, () => trainStep(model, optimizer, xb, ys, MICRO_BATCH[name]));
      optimizer.dispose();
      ys.dispose();
    }
    xb.dispose();
    model.dispose();
    const t = torch.get(name);
    const f = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? 'n/a' : v < 10 ? v.toFixed(2) : v.toFixed(1));
    const ratio = (a: number, b: number | undefined) => (b === undefined || Number.isNaN(a) ? 'n/a' : `${(a / b).toFixed(2)}×`);
    rows.push(
      `| ${name} | ${inputSize} | ${f(infer1)} / ${f(t?.infer1)} (${ratio(infer1, t?.infer1)}) | ${f(inferBatch)} / ${f(t?.inferBatch)} (${ratio(inferBatch, t?.inferBatch)}) | ` +
        `${f(train)} / ${f(t?.train)} (${ratio(train, t?.train)}) [micro ${MICRO_BATCH[name]}] |`,
    );
    console.log(rows.at(-1));
  }
  console.log('\nimages/s, tfjs / PyTorch (tfjs ÷ PyTorch); training: one Adam step on a batch of 32, tfjs accumulating micro-batches');
  console.log('| model | input | infer batch 1 | infer batch 32 | train batch 32 |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}


