import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

import type { ClassTarget } from './types';

/** Whether a model output is raw scores or already probabilities (last layer with a softmax / sigmoid activation). */
export type OutputKind = 'logits' | 'probabilities';

export function outputKind(model: LayersModel, outputIndex: number): OutputKind {
  const layer = model.outputs[outputIndex]!.sourceLayer;
  const className = layer.getClassName();
  if (className === 'Softmax') return 'probabilities';
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  return activation === 'softmax' || activation === 'sigmoid' ? 'probabilities' : 'logits';
}

/** What to differentiate: `score = sum(output * selector, axis 1)`, plus the bookkeeping reported back. */
export interface ClassSelection {
  /** `[N, K]`: one-hot of the explained class for K >= 2; `+1` / `-1` for a single output. */
  selector: tf.Tensor2D;
  /** `[N]` int32: explained class per image. */
  classIndex: tf.Tensor1D;
  /** `[N]` int32: predicted class per image. */
  predicted: tf.Tensor1D;
  /** `[N, 2]` for a single output (class 0, class 1), `[N, K]` otherwise. */
  probabilities: tf.Tensor2D;
}

/**
 * Turns the model's output and the requested class into a selector. Call
 * inside `tf.tidy`. See {@link ClassTarget} for the semantics, in particular
 * the negation used for class 0 of a single-output binary model.
 */
export function selectClass(
  output: tf.Tensor,
  requested: ClassTarget | undefined,
  kind: OutputKind,
  caller: string,
): ClassSelection {
  if (output.rank !== 2) {
    throw new Error(`${caller}: expected the model output to be [N, numClasses], got shape [${output.shape.join(', ')}]`);
  }
  const [n, k] = output.shape as [number, number];
  const indices = requestedIndices(requested, n, caller);
  const numClasses = k === 1 ? 2 : k;
  for (const c of indices ?? []) {
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new Error(
        `${caller}: classIndex ${c} is out of range for a model with ${k} output${k === 1 ? ' (binary: 0 or 1)' : 's'}`,
      );
    }
  }
  if (k === 1) {
    const z = tf.reshape(output, [n]);
    const p1 = kind === 'probabilities' ? z : tf.sigmoid(z);
    const predicted = tf.cast(tf.greater(z, kind === 'probabilities' ? 0.5 : 0), 'int32') as tf.Tensor1D;
    const classIndex = indices === null ? predicted : tf.tensor1d(indices, 'int32');
    const selector = tf.reshape(tf.sub(tf.mul(tf.cast(classIndex, 'float32'), 2), 1), [n, 1]) as tf.Tensor2D;
    const probabilities = tf.stack([tf.sub(1, p1), p1], 1) as tf.Tensor2D;
    return { selector, classIndex, predicted, probabilities };
  }
  const predicted = tf.cast(tf.argMax(output, 1), 'int32') as tf.Tensor1D;
  const classIndex = indices === null ? predicted : tf.tensor1d(indices, 'int32');
  const selector = tf.cast(tf.oneHot(classIndex, k), 'float32') as tf.Tensor2D;
  const probabilities = (kind === 'probabilities' ? output : tf.softmax(output)) as tf.Tensor2D;
  return { selector, classIndex, predicted, probabilities };
}

function requestedIndices(requested: ClassTarget | undefined, n: number, caller: string): number[] | null {
  if (requested === undefined) return null;
  if (typeof requested === 'number') return new Array<number>(n).fill(requested);
  if (requested.length !== n) {
    throw new Error(`${caller}: classIndex has ${requested.length} entries for a batch of ${n} images`);
  }
  return [...requested];
}
