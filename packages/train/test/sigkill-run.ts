import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { modelCheckpoint, tensorBatchSource, train } from '../src/index';
import type { TrainCallback, TrainResult } from '../src/index';
import { barImages } from './pattern-data';
import { tinyConvNet } from './tiny-model';

/**
 * The run the SIGKILL test interrupts: identical in the child process and in
 * the test, so the resumed result can be compared with an uninterrupted one.
 */
export async function sigkillRun(
  dir: string,
  options: { resumeFrom?: string; slowFromEpoch?: number; everySteps?: number } = {},
): Promise<{ result: TrainResult; model: ReturnType<typeof tinyConvNet> }> {
  const { xs, ys } = barImages(32, 8, 21);
  const model = tinyConvNet();
  const callbacks: TrainCallback[] = [modelCheckpoint({ dir: path.join(dir, 'ckpt'), everySteps: options.everySteps })];
  if (options.slowFromEpoch !== undefined) {
    const slowFrom = options.slowFromEpoch;
    // In the child: announce that an epoch after the first checkpoint is under way, then go slowly so the kill lands mid-epoch.
    callbacks.push({
      name: 'slow',
      async onBatchEnd(logs) {
        if (logs.epoch < slowFrom) return;
        if (logs.batch === 1) fs.writeFileSync(path.join(dir, 'mid-epoch'), String(logs.epoch));
        await new Promise((resolve) => setTimeout(resolve, 300));
      },
    });
  }
  const result = await train(model, tensorBatchSource(xs, ys, { batchSize: 4, shuffle: true, seed: 5 }), {
    epochs: 3,
    seed: 9,
    optimizer: { lr: 0.01, weightDecay: 1e-4 },
    augment: (x, rng) => tf.mul(x, 0.9 + 0.2 * rng.next()),
    backend: 'current',
    probeKernels: false,
    quiet: true,
    callbacks,
    resumeFrom: options.resumeFrom,
  });
  tf.dispose([xs, ys]);
  return { result, model };
}
