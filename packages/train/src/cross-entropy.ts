import * as tf from '@tensorflow/tfjs-core';
import type { LossOptions } from './types';

/**
 * The weighted loss sum and the weight total of a batch, kept apart so that
 * micro-batches can be summed and divided by the whole batch's total: that is
 * what makes gradient accumulation give exactly the full batch's gradient.
 */
export interface CrossEntropyParts {
  numerator: tf.Scalar;
  denominator: tf.Scalar;
}

/** Checks loss options against the number of classes, naming `caller` in the error. */
export function validateLossOptions(options: LossOptions, numClasses: number | undefined, caller: string): void {
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1)) {
    throw new Error(`${caller}: expected labelSmoothing in [0, 1), got ${options.labelSmoothing}`);
  }
  const weights = options.classWeights;
  if (weights !== undefined) {
    if (numClasses !== undefined && weights.length !== numClasses) {
      throw new Error(`${caller}: expected ${numClasses} class weights, got ${weights.length}`);
    }
    if (weights.some((w) => !(w >= 0) || !Number.isFinite(w))) {
      throw new Error(`${caller}: class weights must be finite and >= 0, got [${weights.join(', ')}]`);
    }
  }
}

/** Numerator and denominator of `crossEntropyLoss`; see there. */
export function crossEntropyParts(logits: tf.Tensor, labels: tf.Tensor, options: LossOptions = {}): CrossEntropyParts {
  if (logits.rank !== 2 || labels.rank !== 2) {
    throw new Error(`crossEntropyLoss: expected rank-2 logits and labels, got ranks ${logits.rank} and ${labels.rank}`);
  }
  if (!tf.util.arraysEqual(logits.shape, labels.shape)) {
    throw new Error(`crossEntropyLoss: logits [${logits.shape}] and labels [${labels.shape}] differ in shape`);
  }
  const numClasses = logits.shape[1]!;
  validateLossOptions(options, numClasses, 'crossEntropyLoss');
  const smoothing = options.labelSmoothing ?? 0;
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits);
    const targets = tf.cast(labels, 'float32');
    const weights = options.classWeights ? tf.tensor1d([...options.classWeights], 'float32') : null;
    // Per-sample weight of the target class: the one-hot row dotted with the class weights.
    const sampleWeights = weights ? tf.sum(tf.mul(targets, weights), 1) : tf.sum(targets, 1);
    const weightedLogProbs = weights ? tf.mul(logProbs, weights) : logProbs;
    const nll = tf.neg(tf.sum(tf.mul(targets, weightedLogProbs)));
    let numerator: tf.Tensor = nll;
    if (smoothing > 0) {
      const smooth = tf.neg(tf.sum(weightedLogProbs));
      numerator = tf.add(tf.mul(nll, 1 - smoothing), tf.mul(smooth, smoothing / numClasses));
    }
    return { numerator: numerator as tf.Scalar, denominator: tf.sum(sampleWeights) as tf.Scalar };
  });
}

/**
 * Categorical cross-entropy on logits with PyTorch `CrossEntropyLoss`
 * semantics (mean reduction): optional label smoothing and class weights, the
 * weighted mean being sum(w_y * l) / sum(w_y) and the smoothing term divided by
 * the same total, as torch does. Labels are one-hot `[N, C]`.
 */
export function crossEntropyLoss(logits: tf.Tensor, labels: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const { numerator, denominator } = crossEntropyParts(logits, labels, options);
    return tf.div(numerator, denominator);
  });
}
