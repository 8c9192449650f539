import * as tf from '@tensorflow/tfjs-core';
import type { BatchesOptions, BatchSource, TrainBatch } from './types';

/** Options for `tensorBatchSource`. */
export interface TensorBatchSourceOptions {
  batchSize: number;
  /** Shuffle per epoch, seeded by (seed, epoch) (default false). */
  shuffle?: boolean;
  seed?: number;
  /** Drop the last incomplete batch (default false). */
  dropRemainder?: boolean;
}

/**
 * A `BatchSource` over tensors already in memory: small datasets, tests and
 * examples. The source keeps `xs` and `ys`; each yielded batch is a fresh
 * copy the trainer disposes. Shuffling is a seeded permutation per epoch, so
 * the same seed and epoch give the same order.
 */
export function tensorBatchSource(xs: tf.Tensor, ys: tf.Tensor, options: TensorBatchSourceOptions): BatchSource {
  if (xs.rank < 2 || ys.rank !== 2) throw new Error(`tensorBatchSource: expected xs of rank >= 2 and ys of rank 2, got ranks ${xs.rank} and ${ys.rank}`);
  const size = xs.shape[0]!;
  if (ys.shape[0] !== size) throw new Error(`tensorBatchSource: ${size} inputs but ${ys.shape[0]} labels`);
  const { batchSize } = options;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`tensorBatchSource: expected an integer batchSize >= 1, got ${batchSize}`);
  const numBatches = options.dropRemainder ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
  return {
    size,
    batchSize,
    numBatches,
    supportsStartBatch: true,
    *batches(epoch = 0, batchesOptions: BatchesOptions = {}): Iterable<TrainBatch> {
      const startBatch = batchesOptions.startBatch ?? 0;
      if (!(Number.isInteger(startBatch) && startBatch >= 0 && startBatch <= numBatches)) {
        throw new Error(`tensorBatchSource: expected startBatch to be an integer from 0 to ${numBatches} (the batches per epoch), got ${startBatch}`);
      }
      // The permutation depends on the epoch only, so starting late gives the very batches of a full pass.
      const order = options.shuffle ? permutation(size, (options.seed ?? 0) * 1000003 + epoch) : null;
      for (let b = startBatch; b < numBatches; b++) {
        const start = b * batchSize;
        const count = Math.min(batchSize, size - start);
        if (order) {
          const indices = tf.tensor1d(order.slice(start, start + count), 'int32');
          const batch = { xs: tf.gather(xs, indices), ys: tf.gather(ys, indices) };
          indices.dispose();
          yield batch;
        } else {
          yield { xs: tf.slice(xs, start, count), ys: tf.slice(ys, start, count) };
        }
      }
    },
  };
}

/** Fisher-Yates with a small integer hash generator (mulberry32), independent of any other random stream. */
function permutation(n: number, seed: number): Int32Array {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
