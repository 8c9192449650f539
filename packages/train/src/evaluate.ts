import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { crossEntropyParts } from './cross-entropy';
import type { BatchSource, LossOptions } from './types';

/** Loss and accuracy of a model over a whole data source. */
export interface EvaluationResult {
  /** Weighted mean cross-entropy over every sample (class weights and smoothing as in training). */
  loss: number;
  accuracy: number;
  count: number;
}

/**
 * Evaluates `model` in inference mode (batch norm uses its moving statistics,
 * dropout is off) over every batch of `data` at `epoch` (default 0),
 * disposing each batch. The loss is the dataset-level weighted mean, not a
 * mean of batch means.
 */
export async function evaluate(
  model: LayersModel,
  data: BatchSource,
  options: { loss?: LossOptions; epoch?: number } = {},
): Promise<EvaluationResult> {
  if (!data || typeof data.batches !== 'function') throw new Error('evaluate: expected a data source with a batches(epoch) method');
  let numerator = 0;
  let denominator = 0;
  let correct = 0;
  let count = 0;
  for await (const batch of data.batches(options.epoch ?? 0)) {
    try {
      const values = tf.tidy(() => {
        const logits = model.apply(batch.xs, { training: false }) as tf.Tensor;
        const parts = crossEntropyParts(logits, batch.ys, options.loss);
        const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(batch.ys, 1)), 'float32'));
        return tf.stack([parts.numerator, parts.denominator, hits]);
      });
      const [num, den, hits] = values.dataSync();
      values.dispose();
      numerator += num!;
      denominator += den!;
      correct += hits!;
      count += batch.xs.shape[0]!;
    } finally {
      tf.dispose([batch.xs, batch.ys]);
    }
  }
  if (count === 0) throw new Error('evaluate: the data source yielded no batches');
  return { loss: numerator / denominator, accuracy: correct / count, count };
}
