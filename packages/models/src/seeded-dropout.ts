import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { SeededDropoutArgs } from './model-types';

type LayerArgs = ConstructorParameters<typeof tfl.layers.Layer>[0];

/**
 * `nn.Dropout` with a seed that advances per call. tfjs-layers' own `Dropout` passes its fixed seed
 * to every call, so a seeded model would drop the same units at every training step; this layer draws
 * a new (reproducible) mask each step, and is the identity at inference.
 */
export class SeededDropout extends tfl.layers.Layer {
  static className = 'SeededDropout';
  readonly rate: number;
  readonly seed: number | undefined;
  private calls = 0;

  constructor(args: SeededDropoutArgs) {
    super(args as unknown as LayerArgs);
    if (!(args.rate >= 0 && args.rate < 1)) throw new Error(`SeededDropout: rate must be in [0, 1), got ${args.rate}`);
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
    const seed = this.seed === undefined ? undefined : this.seed + this.calls;
    this.calls += 1;
    return tf.dropout(x, this.rate, undefined, seed);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), rate: this.rate };
    if (this.seed !== undefined) config['seed'] = this.seed;
    return config;
  }
}

tf.serialization.registerClass(SeededDropout);
