import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { StochasticDepthArgs } from './model-types';

type LayerArgs = ConstructorParameters<typeof tfl.layers.Layer>[0];

/**
 * torchvision's `StochasticDepth(p, 'row')`: during training each sample's residual branch is
 * zeroed with probability `rate` and the survivors are scaled by 1 / (1 - rate); at inference it
 * is the identity, so predictions match PyTorch's eval mode exactly.
 */
export class StochasticDepth extends tfl.layers.Layer {
  static className = 'StochasticDepth';
  readonly rate: number;
  readonly seed: number | undefined;
  private calls = 0;

  constructor(args: StochasticDepthArgs) {
    // Passed through whole so a deserialised config keeps Layer's own keys (name, trainable, dtype).
    super(args as unknown as LayerArgs);
    if (!(args.rate >= 0 && args.rate < 1)) {
      throw new Error(`StochasticDepth: rate must be in [0, 1), got ${args.rate}`);
    }
    this.rate = args.rate;
    this.seed = args.seed;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs['training'] !== true || this.rate === 0) return x;
    return tf.tidy(() => {
      const keep = 1 - this.rate;
      const seed = this.seed === undefined ? undefined : this.seed + this.calls;
      this.calls += 1;
      const rowShape = [x.shape[0]!, ...x.shape.slice(1).map(() => 1)];
      // floor(keep + U[0,1)) is 1 with probability `keep`: a per-sample Bernoulli mask.
      const mask = tf.floor(tf.add(tf.randomUniform(rowShape, 0, 1, 'float32', seed), keep));
      return tf.mul(x, tf.div(mask, keep));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), rate: this.rate };
    if (this.seed !== undefined) config['seed'] = this.seed;
    return config;
  }
}

tf.serialization.registerClass(StochasticDepth);
