// One model's tfjs side of the benchmark, in its own process so that its peak RSS is its own.
// Usage (via scripts/run-ts.cjs): train-one.ts <model> <dataDir> <steps> <batch> <backend> [microBatchSize]
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import * as models from '@fracture/models';
import * as preprocess from '@fracture/preprocess';
import { paperPreset, train } from '../src/index';
import type { BatchSource, PaperModelName, TrainBackend } from '../src/index';

// Structural views of the sibling packages, so the bench type-checks against any build of them.
const { createModel } = models as unknown as { createModel: (name: string, options: object) => LayersModel };
const { decodeImage, toTensor } = preprocess as unknown as {
  decodeImage: (bytes: Uint8Array, options?: { path?: string }) => unknown;
  toTensor: (image: unknown, options?: { channels?: 1 | 3 }) => tf.Tensor3D;
};

function listImages(root: string): { file: string; label: number }[] {
  const out: { file: string; label: number }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(jpe?g|png)$/i.test(entry.name)) out.push({ file: full, label: full.includes('not fractured') ? 1 : 0 });
    }
  };
  walk(root);
  return out;
}

async function main(): Promise<void> {
  const [name, dataDir, stepsArg, batchArg, backendArg, microArg] = process.argv.slice(3);
  const steps = Number(stepsArg);
  const batchSize = Number(batchArg);
  const preset = paperPreset(name as PaperModelName);
  const size = preset.inputSize;
  const all = listImages(dataDir!);
  const count = steps * batchSize;
  const chosen = all.filter((_, i) => i % Math.max(1, Math.floor(all.length / count)) === 0).slice(0, count);

  // Decode after the backend is chosen (train selects it; do it first here so tensors live on it).
  const { selectTrainingBackend } = await import('../src/backend-select');
  const backend = await selectTrainingBackend(backendArg as TrainBackend);
  const xs = tf.tidy(() =>
    tf.stack(
      chosen.map(({ file }) => {
        const image = toTensor(decodeImage(new Uint8Array(fs.readFileSync(file)), { path: file }), { channels: 3 });
        return image.shape[0] === size ? image : tf.image.resizeBilinear(image, [size, size]);
      }),
    ),
  ) as tf.Tensor4D;
  const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(chosen.map((c) => c.label), 'int32'), 2), 'float32'));
  const source: BatchSource = {
    batchSize,
    numBatches: steps,
    *batches() {
      for (let s = 0; s < steps; s++) yield { xs: tf.slice(xs, s * batchSize, batchSize), ys: tf.slice(ys, s * batchSize, batchSize) };
    },
  };
  const model = createModel(name!, { inputSize: size, channels: 3 });
  const stamps: number[] = [];
  let start = 0;
  await train(model, source, {
    epochs: 1,
    optimizer: preset.optimizer,
    backend: 'current',
    quiet: true,
    probeKernels: false,
    microBatchSize: microArg && Number(microArg) > 0 ? Number(microArg) : undefined,
    callbacks: [{ name: 'clock', onEpochBegin: () => void (start = performance.now()), onBatchEnd: () => void stamps.push(performance.now()) }],
  });
  // The first step includes tfjs's one-off kernel setup; time the rest when there is a rest.
  const durations = stamps.map((t, i) => t - (i === 0 ? start : stamps[i - 1]!));
  const timed = durations.length > 1 ? durations.slice(1) : durations;
  const seconds = timed.reduce((a, b) => a + b, 0) / 1000;
  console.log(
    JSON.stringify({
      framework: `tfjs-${backend.name}`,
      model: name,
      size,
      batch: batchSize,
      steps,
      imagesPerSecond: (batchSize * timed.length) / seconds,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      backendReason: backend.reason,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
