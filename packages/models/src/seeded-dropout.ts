import * as tf from '@tensorflow/tfjs-core';
import type { SeededDropoutArgs } from './model-types';
import { SeededRandomLayer } from './seeded-random-layer';

/**
 * `nn.Dropout` with a seed that advances per call. tfjs-layers' own `Dropout` passes its fixed seed
 * to every call, so a seeded model would drop the same units at every training step; this layer draws
 * a new (reproducible) mask each step, and is the identity at inference.
 */
export class SeededDropout extends SeededRandomLayer {
  static className = 'SeededDropout';

  constructor(args: SeededDropoutArgs) {
    super(args, 'SeededDropout');
  }

  protected applyInTraining(x: tf.Tensor, seed: number | undefined): tf.Tensor {
    return tf.dropout(x, this.rate, undefined, seed);
  }
}

tf.serialization.registerClass(SeededDropout);
