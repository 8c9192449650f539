import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type LayerArgs = ConstructorParameters<typeof tfl.layers.Layer>[0];

/**
 * A weightless, shape-preserving layer applying one element-wise function in training and inference
 * alike: the base of this package's activations with hand-written gradients (`TorchReLU6`, `TorchSiLU`).
 */
export abstract class ActivationLayer extends tfl.layers.Layer {
  protected constructor(args: { name?: string }) {
    // Passed through whole so a deserialised config keeps Layer's own keys (name, trainable, dtype).
    super(args as unknown as LayerArgs);
    this.supportsMasking = true;
  }

  /** The activation itself. */
  protected abstract activate(x: tf.Tensor): tf.Tensor;

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x === undefined || (Array.isArray(inputs) && inputs.length !== 1)) {
      throw new Error(`${this.getClassName()}: layer '${this.name}' expects exactly one input tensor`);
    }
    return this.activate(x);
  }
}
