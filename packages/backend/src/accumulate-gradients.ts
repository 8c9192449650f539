import * as tf from '@tensorflow/tfjs-core';
import type { AccumulateGradientsOptions, AccumulatedGradients, BatchLoss } from './types';

/**
 * Gradients of the mean loss over a batch, computed a micro-batch at a time so the activations of only one
 * micro-batch are alive at once. Micro-batch i's mean loss is weighted by nᵢ / N, so the sum equals the gradient
 * of the whole batch's mean loss (exactly, for layers that treat examples independently; batch normalisation
 * computes its statistics per micro-batch, as in PyTorch gradient accumulation).
 */
export function accumulateGradients(
  lossFn: BatchLoss,
  xs: tf.Tensor,
  ys: tf.Tensor,
  options: AccumulateGradientsOptions,
): AccumulatedGradients {
  const { microBatchSize, varList } = options;
  const total = xs.shape[0];
  if (!Number.isInteger(microBatchSize) || microBatchSize < 1) {
    throw new Error(`accumulateGradients: microBatchSize must be a positive integer, got ${microBatchSize}`);
  }
  if (total === undefined || xs.rank < 1 || ys.shape[0] !== total) {
    throw new Error(`accumulateGradients: xs and ys need the same batch size, got [${xs.shape}] and [${ys.shape}]`);
  }
  if (total === 0) throw new Error('accumulateGradients: empty batch');

  let grads: tf.NamedTensorMap | null = null;
  let loss = 0;
  let microBatches = 0;
  for (let start = 0; start < total; start += microBatchSize) {
    const size = Math.min(microBatchSize, total - start);
    const weight = size / total;
    const step = tf.tidy(() => {
      const xsPart = size === total ? xs : tf.slice(xs, start, size);
      const ysPart = size === total ? ys : tf.slice(ys, start, size);
      return tf.variableGrads(() => tf.mul(lossFn(xsPart, ysPart), weight) as tf.Scalar, varList);
    });
    loss += step.value.dataSync()[0]!;
    step.value.dispose();
    if (grads === null) {
      grads = step.grads;
    } else {
      const previous: tf.NamedTensorMap = grads;
      grads = {};
      for (const name of Object.keys(previous)) {
        grads[name] = tf.add(previous[name]!, step.grads[name]!);
      }
      tf.dispose(previous);
      tf.dispose(step.grads);
    }
    microBatches++;
  }
  return { loss, grads: grads!, microBatches };
}

/**
 * One optimiser step on a whole batch, computed in micro-batches (see `accumulateGradients`). Returns the mean
 * loss; leaves no tensors behind.
 */
export function trainStepAccumulated(
  optimizer: tf.Optimizer,
  lossFn: BatchLoss,
  xs: tf.Tensor,
  ys: tf.Tensor,
  options: AccumulateGradientsOptions,
): number {
  const { loss, grads } = accumulateGradients(lossFn, xs, ys, options);
  optimizer.applyGradients(grads);
  tf.dispose(grads);
  return loss;
}
