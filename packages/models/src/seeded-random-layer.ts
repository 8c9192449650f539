import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type LayerArgs = ConstructorParameters<typeof tfl.layers.Layer>[0];

/** Constructor arguments of the seeded random layers: a drop rate and an optional first seed. */
export interface SeededRandomLayerArgs {
  name?: string;
  rate: number;
  seed?: number;
}

/**
 * A shape-preserving layer that is the identity at inference and random in training, with a seed
 * that advances on every training call: the same first seed gives the same sequence of masks,
 * and no two steps share one (tfjs-layers' seeded `Dropout` reuses its seed on every call).
 */
export abstract class SeededRandomLayer extends tfl.layers.Layer {
  readonly rate: number;
  readonly seed: number | undefined;
  private calls = 0;

  protected constructor(args: SeededRandomLayerArgs, className: string) {
    // Passed through whole so a deserialised config keeps Layer's own keys (name, trainable, dtype).
    super(args as unknown as LayerArgs);
    if (!(args.rate >= 0 && args.rate < 1)) throw new Error(`${className}: rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.seed = args.seed;
    this.supportsMasking = true;
  }

  /** The random part, called only in training with a non-zero rate. */
  protected abstract applyInTraining(x: tf.Tensor, seed: number | undefined): tf.Tensor;

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs['training'] !== true || this.rate === 0) return x;
    const seed = this.seed === undefined ? undefined : this.seed + this.calls;
    this.calls += 1;
    return this.applyInTraining(x, seed);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), rate: this.rate };
    if (this.seed !== undefined) config['seed'] = this.seed;
    return config;
  }
}
