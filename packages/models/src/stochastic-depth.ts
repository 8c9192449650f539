import * as tf from '@tensorflow/tfjs-core';
import type { StochasticDepthArgs } from './model-types';
import { SeededRandomLayer } from './seeded-random-layer';

/**
 * torchvision's `StochasticDepth(p, 'row')`: during training each sample's residual branch is
 * zeroed with probability `rate` and the survivors are scaled by 1 / (1 - rate); at inference it
 * is the identity, so predictions match PyTorch's eval mode exactly.
 */
export class StochasticDepth extends SeededRandomLayer {
  static className = 'StochasticDepth';

  constructor(args: StochasticDepthArgs) {
    super(args, 'StochasticDepth');
  }

  protected applyInTraining(x: tf.Tensor, seed: number | undefined): tf.Tensor {
    return tf.tidy(() => {
      const keep = 1 - this.rate;
      const rowShape = [x.shape[0]!, ...x.shape.slice(1).map(() => 1)];
      // floor(keep + U[0,1)) is 1 with probability `keep`: a per-sample Bernoulli mask.
      const mask = tf.floor(tf.add(tf.randomUniform(rowShape, 0, 1, 'float32', seed), keep));
      return tf.mul(x, tf.div(mask, keep));
    });
  }
}

tf.serialization.registerClass(StochasticDepth);
