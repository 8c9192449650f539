import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { BatchSource } from './types';

/** Every sample's softmax probabilities and true class, in the order the source yields them. */
export interface BatchPredictions<Item = unknown> {
  /** `probabilities[i][k]`: probability of class k for sample i. */
  probabilities: number[][];
  /** Arg-max of the one-hot (or soft) label of each sample. */
  labels: number[];
  /** The source's items (for example file paths and source ids) when it provides them. */
  items: Item[];
}

/**
 * Runs `model` in inference mode over every batch of `data` (epoch `epoch`, default 0) and
 * collects softmax probabilities, true labels and items, disposing each batch. The model must
 * output logits, as every `@fracture/models` model does.
 */
export async function predictBatches<Item = unknown>(
  model: LayersModel,
  data: BatchSource,
  options: { epoch?: number; onBatch?: (done: number, total: number | undefined) => void } = {},
): Promise<BatchPredictions<Item>> {
  if (!data || typeof data.batches !== 'function') throw new Error('predictBatches: expected a data source with a batches(epoch) method');
  const out: BatchPredictions<Item> = { probabilities: [], labels: [], items: [] };
  let done = 0;
  for await (const batch of data.batches(options.epoch ?? 0)) {
    try {
      const [probs, labels] = tf.tidy(() => {
        const logits = model.apply(batch.xs, { training: false }) as tf.Tensor2D;
        return [tf.softmax(logits), tf.argMax(batch.ys, 1)] as const;
      });
      const rows = (await probs.array()) as number[][];
      const truth = Array.from((await labels.data()) as Int32Array);
      tf.dispose([probs, labels]);
      out.probabilities.push(...rows);
      out.labels.push(...truth);
      if (batch.items) out.items.push(...(batch.items as Item[]));
    } finally {
      tf.dispose([batch.xs, batch.ys]);
    }
    done += 1;
    options.onBatch?.(done, data.numBatches);
  }
  return out;
}
