import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { CamResult, Heatmap } from './types';

/** Checks the model takes one image input and returns the input as `[N, H, W, C]` (a new handle; dispose it). */
export function asImageBatch(model: LayersModel, input: tf.Tensor, caller: string): tf.Tensor4D {
  if (!(input instanceof tf.Tensor)) throw new Error(`${caller}: expected a tf.Tensor input`);
  if (input.rank !== 3 && input.rank !== 4) {
    throw new Error(`${caller}: expected a rank-3 [H, W, C] or rank-4 [N, H, W, C] tensor, got rank ${input.rank}`);
  }
  if (input.dtype !== 'float32') throw new Error(`${caller}: expected a float32 tensor, got ${input.dtype}`);
  if (model.inputs.length !== 1) {
    throw new Error(`${caller}: expected a model with one image input, model ${model.name} has ${model.inputs.length}`);
  }
  const batch = (input.rank === 3 ? tf.expandDims(input, 0) : tf.clone(input)) as tf.Tensor4D;
  const expected = model.inputs[0]!.shape;
  for (let axis = 1; axis < 4; axis++) {
    const want = expected[axis];
    if (want != null && want !== batch.shape[axis]) {
      batch.dispose();
      throw new Error(
        `${caller}: model ${model.name} expects input shape [N, ${expected.slice(1).join(', ')}], got [${input.shape.join(', ')}]`,
      );
    }
  }
  if (batch.shape[0] === 0) {
    batch.dispose();
    throw new Error(`${caller}: the batch is empty`);
  }
  return batch;
}

/**
 * Per-image min-max normalisation to [0, 1] (a constant map becomes zeros),
 * then bilinear upsampling with half-pixel centres, which is what OpenCV's
 * `cv2.resize(..., INTER_LINEAR)` does in pytorch-grad-cam. Normalising
 * before resizing keeps the result in [0, 1] and matches its order of steps.
 */
export function normaliseAndUpsample(raw: tf.Tensor3D, height: number, width: number): tf.Tensor3D {
  return tf.tidy(() => {
    const min = tf.min(raw, [1, 2], true);
    const range = tf.sub(tf.max(raw, [1, 2], true), min);
    const safeRange = tf.where(tf.greater(range, 0), range, tf.onesLike(range));
    const normalised = tf.where(
      tf.broadcastTo(tf.greater(range, 0), raw.shape),
      tf.div(tf.sub(raw, min), safeRange),
      tf.zerosLike(raw),
    );
    const resized = tf.image.resizeBilinear(tf.expandDims(normalised, 3) as tf.Tensor4D, [height, width], false, true);
    // Bilinear weights can overshoot by an ulp; the contract is [0, 1].
    return tf.clipByValue(tf.squeeze(resized, [3]), 0, 1) as tf.Tensor3D;
  });
}

/** The tensors an explainer leaves behind; read into plain arrays and disposed by {@link collectResults}. */
export interface CamTensors {
  heatmap: tf.Tensor3D;
  raw: tf.Tensor3D;
  classIndex: tf.Tensor1D;
  predicted: tf.Tensor1D;
  probabilities: tf.Tensor2D;
  score: tf.Tensor1D;
}

export async function collectResults(tensors: CamTensors, layer: string): Promise<CamResult[]> {
  try {
    const [n, height, width] = tensors.heatmap.shape;
    const [, rawHeight, rawWidth] = tensors.raw.shape;
    const [heat, raw, classIndex, predicted, probabilities, score] = await Promise.all([
      tensors.heatmap.data<'float32'>(),
      tensors.raw.data<'float32'>(),
      tensors.classIndex.data<'int32'>(),
      tensors.predicted.data<'int32'>(),
      tensors.probabilities.data<'float32'>(),
      tensors.score.data<'float32'>(),
    ]);
    const k = tensors.probabilities.shape[1];
    const results: CamResult[] = [];
    for (let i = 0; i < n; i++) {
      results.push({
        heatmap: slice(heat, i, height, width),
        raw: slice(raw, i, rawHeight, rawWidth),
        classIndex: classIndex[i]!,
        predictedClass: predicted[i]!,
        probabilities: Array.from(probabilities.subarray(i * k, (i + 1) * k)),
        score: score[i]!,
        layer,
      });
    }
    return results;
  } finally {
    for (const t of Object.values(tensors)) (t as tf.Tensor).dispose();
  }
}

function slice(all: Float32Array, index: number, height: number, width: number): Heatmap {
  const size = height * width;
  return { data: all.slice(index * size, (index + 1) * size), width, height };
}
