import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import { asImageBatch, collectResults, normaliseAndUpsample, type CamTensors } from './cam-maps';
import { outputKind, selectClass } from './class-target';
import { runGraph } from './graph-executor';
import { resolveTargetLayer } from './target-layer';
import type { CamResult, GradCamOptions } from './types';

type ChannelWeighting = (activation: tf.Tensor4D, gradient: tf.Tensor4D) => tf.Tensor4D;

/** Grad-CAM: each channel weighted by the spatial mean of its gradient. */
const gradCamWeights: ChannelWeighting = (_activation, gradient) => tf.mean(gradient, [1, 2], true);

/**
 * Grad-CAM++ with the closed-form alpha of Chattopadhyay et al. (2018) under
 * the exponential-score approximation, as pytorch-grad-cam implements it:
 * `alpha = g^2 / (2 g^2 + sum_ij(A) g^3 + 1e-6)` (0 where `g = 0`),
 * `w_k = sum_ij alpha * ReLU(g)`.
 */
const gradCamPlusPlusWeights: ChannelWeighting = (activation, gradient) => {
  const g2 = tf.square(gradient);
  const g3 = tf.mul(g2, gradient);
  const activationSum = tf.sum(activation, [1, 2], true);
  const alpha = tf.div(g2, tf.add(tf.add(tf.mul(g2, 2), tf.mul(activationSum, g3)), 1e-6));
  const alphaWhereGradient = tf.where(tf.notEqual(gradient, 0), alpha, tf.zerosLike(alpha));
  return tf.sum(tf.mul(tf.relu(gradient), alphaWhereGradient), [1, 2], true);
};

async function classActivationMap(
  caller: string,
  weighting: ChannelWeighting,
  model: LayersModel,
  input: tf.Tensor3D | tf.Tensor4D,
  options: GradCamOptions,
): Promise<CamResult[]> {
  const layer = resolveTargetLayer(model, options.layer, caller);
  const outputIndex = options.outputIndex ?? 0;
  if (!Number.isInteger(outputIndex) || outputIndex < 0 || outputIndex >= model.outputs.length) {
    throw new Error(`${caller}: outputIndex ${outputIndex} is out of range for ${model.outputs.length} output(s)`);
  }
  const kind = outputKind(model, outputIndex);
  const batch = asImageBatch(model, input, caller);
  let tensors: CamTensors;
  try {
    tensors = tf.tidy(() => {
      let activation: tf.Tensor4D | undefined;
      const first = runGraph(model, [batch], layer, (computed) => {
        activation = computed as tf.Tensor4D;
        return computed;
      });
      if (activation === undefined) throw new Error(`${caller}: layer ${layer.name} is not on the path to the output`);
      if (activation.rank !== 4) {
        throw new Error(`${caller}: layer ${layer.name} produced rank ${activation.rank}, expected [N, h, w, C]`);
      }
      const output = first.outputs[outputIndex]!;
      const selection = selectClass(output, options.classIndex, kind, caller);
      const score = (out: tf.Tensor) => tf.sum(tf.mul(out, selection.selector), 1);

      // The images of a batch are independent in inference mode, so the gradient
      // of the summed scores is each image's own gradient.
      const gradient = tf.grad((replaced: tf.Tensor) => {
        const second = runGraph(model, [batch], layer, () => replaced, first.values);
        return tf.sum(score(second.outputs[outputIndex]!));
      })(activation) as tf.Tensor4D;

      const weights = weighting(activation, gradient);
      const raw = tf.relu(tf.sum(tf.mul(weights, activation), 3)) as tf.Tensor3D;
      const [, height, width] = batch.shape;
      return {
        heatmap: normaliseAndUpsample(raw, height, width),
        raw,
        classIndex: selection.classIndex,
        predicted: selection.predicted,
        probabilities: selection.probabilities,
        score: score(output) as tf.Tensor1D,
      };
    });
  } finally {
    batch.dispose();
  }
  return collectResults(tensors, layer.name);
}

/**
 * Grad-CAM (Selvaraju et al., 2017) of a tfjs-layers model at any
 * convolutional layer, including layers inside residual, branching or
 * nested graphs: `ReLU(sum_k w_k A_k)` with `w_k` the spatial mean of
 * d(score)/d(A_k), normalised to [0, 1] per image and upsampled bilinearly to
 * the input's size.
 *
 * The score is the model's output for `options.classIndex` (default: the
 * predicted class): the logit, pre-softmax, for our models; see
 * {@link ClassTarget} for single-output binary models.
 *
 * A rank-3 input gives one result, a rank-4 batch one result per image.
 * No tensors are left behind; the results are plain arrays.
 */
export function gradCam(model: LayersModel, input: tf.Tensor3D, options?: GradCamOptions): Promise<CamResult>;
export function gradCam(model: LayersModel, input: tf.Tensor4D, options?: GradCamOptions): Promise<CamResult[]>;
export async function gradCam(
  model: LayersModel,
  input: tf.Tensor3D | tf.Tensor4D,
  options: GradCamOptions = {},
): Promise<CamResult | CamResult[]> {
  const results = await classActivationMap('gradCam', gradCamWeights, model, input, options);
  return input.rank === 3 ? results[0]! : results;
}

/**
 * Grad-CAM++ (Chattopadhyay et al., 2018): like {@link gradCam} but each
 * channel's weight sums the positive gradients with per-pixel coefficients
 * `alpha = g^2 / (2 g^2 + sum_ij(A) g^3)` (the exponential-score closed form
 * pytorch-grad-cam uses), which separates several instances of a class
 * better than a plain mean.
 */
export function gradCamPlusPlus(model: LayersModel, input: tf.Tensor3D, options?: GradCamOptions): Promise<CamResult>;
export function gradCamPlusPlus(model: LayersModel, input: tf.Tensor4D, options?: GradCamOptions): Promise<CamResult[]>;
export async function gradCamPlusPlus(
  model: LayersModel,
  input: tf.Tensor3D | tf.Tensor4D,
  options: GradCamOptions = {},
): Promise<CamResult | CamResult[]> {
  const results = await classActivationMap('gradCamPlusPlus', gradCamPlusPlusWeights, model, input, options);
  return input.rank === 3 ? results[0]! : results;
}
