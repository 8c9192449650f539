import * as tf from '@tensorflow/tfjs-core';
import type { BatchSource, TrainBatch } from './types';

/**
 * The batches of `epoch` from index `startBatch` on, for a resume inside an epoch. Sources that declare
 * `supportsStartBatch` skip the earlier batches themselves; any other source is drawn from the start and its first
 * `startBatch` batches disposed unused, which gives the same batches (the `batches(epoch)` contract is
 * deterministic) at the cost of loading them.
 */
export async function* batchesFrom(data: BatchSource, epoch: number, startBatch: number, caller: string): AsyncGenerator<TrainBatch> {
  if (!(Number.isInteger(startBatch) && startBatch >= 0)) throw new Error(`${caller}: expected startBatch to be an integer >= 0, got ${startBatch}`);
  if (startBatch === 0) {
    yield* data.batches(epoch);
    return;
  }
  if (data.supportsStartBatch) {
    yield* data.batches(epoch, { startBatch });
    return;
  }
  let drawn = 0;
  for await (const batch of data.batches(epoch)) {
    if (drawn < startBatch) {
      drawn += 1;
      tf.dispose([batch.xs, batch.ys]);
      continue;
    }
    yield batch;
  }
  if (drawn < startBatch) {
    throw new Error(`${caller}: resuming epoch ${epoch + 1} after batch ${startBatch}, but the data source yields only ${drawn} batches for that epoch`);
  }
}
