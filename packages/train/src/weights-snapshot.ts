import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { stableWeights } from './model-weights';

/**
 * Copies of every model weight (batch-norm moving statistics included), kept
 * in backend memory so restoring the best epoch needs no disk round trip.
 */
export class WeightsSnapshot {
  private constructor(private readonly values: tf.Tensor[]) {}

  static take(model: LayersModel): WeightsSnapshot {
    return new WeightsSnapshot(tf.tidy(() => stableWeights(model).map((w) => tf.keep(tf.clone(w.read())))));
  }

  restoreInto(model: LayersModel): void {
    const weights = stableWeights(model);
    if (weights.length !== this.values.length) {
      throw new Error(`WeightsSnapshot.restoreInto: the model has ${weights.length} weights, the snapshot ${this.values.length}`);
    }
    // The variables share the snapshot's data (reference counted), so nothing is copied or leaked.
    weights.forEach((w, i) => w.write(this.values[i]!));
  }

  dispose(): void {
    tf.dispose(this.values);
  }
}
