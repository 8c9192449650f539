import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { onBackend, relativeError } from './backends';
import { crossEntropy } from './mixed-model';

/** Test helper: every weight of the model (trainable and not) as plain arrays. */
export function snapshotWeights(model: tfl.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array).map((v) => v.slice());
}

export function restoreWeights(model: tfl.LayersModel, values: Float32Array[]): void {
  const tensors = model.weights.map((w, i) => tf.tensor(values[i]!, w.shape as number[]));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** One plain SGD step on mean softmax cross-entropy, batch-norm in training mode. */
export function sgdStep(model: tfl.LayersModel, xs: tf.Tensor, ys: tf.Tensor, learningRate = 0.1): number {
  const optimizer = tf.train.sgd(learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const loss = optimizer.minimize(() => crossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor), true, vars)!;
  const value = loss.dataSync()[0]!;
  loss.dispose();
  optimizer.dispose();
  return value;
}

/** Deterministic images and alternating one-hot labels. */
export function syntheticBatch(batch: number, size: number, channels: number, seed: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const xs = tf.randomUniform([batch, size, size, channels], 0, 1, 'float32', seed) as tf.Tensor4D;
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 2), 'int32'), 2)) as tf.Tensor2D;
  return { xs, ys };
}

// A batch norm right after a residual add cancels any per-channel shift, so the bias gradient before it is zero in
// exact arithmetic and float noise on both backends; below this magnitude differences are compared absolutely.
const ZERO_FLOOR = 1e-4;

/**
 * One SGD step from the same weights on cpu and on wasm; returns the worst relative difference of the weights
 * after the step and of the updates themselves (weights after minus before), over all weight tensors.
 */
export async function stepOnBothBackends(
  build: () => tfl.LayersModel,
  batch: number,
  size: number,
  options: { sensitivity?: boolean } = {},
) {
  // A model per backend, from the same seeds: layers such as stochastic depth advance their seed on every call.
  const models = { cpu: await onBackend('cpu', build), wasm: await onBackend('wasm', build) };
  const channels = models.cpu.inputs[0]!.shape[3] as number;
  const start = await onBackend('cpu', () => snapshotWeights(models.cpu));
  const run = (model: tfl.LayersModel, inputScale = 1) => () => {
    restoreWeights(model, start);
    const { xs: raw, ys } = syntheticBatch(batch, size, channels, 5);
    const xs = inputScale === 1 ? raw : tf.mul(raw, inputScale);
    if (xs !== raw) raw.dispose();
    const before = tf.memory().numTensors;
    const loss = sgdStep(model, xs, ys);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys]);
    return { loss, weights: snapshotWeights(model) };
  };
  const cpu = await onBackend('cpu', run(models.cpu));
  const wasm = await onBackend('wasm', run(models.wasm));
  // The same cpu step with the input scaled by 1 + 1e-6: how far a rounding-sized change alone moves the result.
  // A fresh model from the same seeds, like the other two runs.
  const third = options.sensitivity ? await onBackend('cpu', build) : null;
  const perturbed = third ? await onBackend('cpu', run(third, 1 + 1e-6)) : null;
  third?.dispose();
  models.cpu.dispose();
  models.wasm.dispose();
  const compare = (other: { weights: Float32Array[] }) => {
    let weightError = 0;
    let updateError = 0;
    let squaredDifference = 0;
    let squaredReference = 0;
    cpu.weights.forEach((after, i) => {
      weightError = Math.max(weightError, relativeError(other.weights[i]!, after, ZERO_FLOOR));
      const cpuUpdate = after.map((v, j) => v - start[i]![j]!);
      const otherUpdate = other.weights[i]!.map((v, j) => v - start[i]![j]!);
      updateError = Math.max(updateError, relativeError(otherUpdate, cpuUpdate, ZERO_FLOOR));
      cpuUpdate.forEach((v, j) => {
        squaredDifference += (otherUpdate[j]! - v) ** 2;
        squaredReference += v ** 2;
      });
    });
    // The whole step as one vector: the direction training actually moves in, where a tensor whose true update is
    // a cancellation (and so mostly rounding) weighs by its size rather than deciding alone.
    const stepError = Math.sqrt(squaredDifference / Math.max(squaredReference, Number.MIN_VALUE));
    return { weightError, updateError, stepError };
  };
  const sensitivity = perturbed ? compare(perturbed) : { weightError: 0, updateError: 0, stepError: 0 };
  return { cpuLoss: cpu.loss, wasmLoss: wasm.loss, ...compare(wasm), sensitivity };
}

