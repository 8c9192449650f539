import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type LayerArgs = ConstructorParameters<typeof tfl.layers.Layer>[0];

/**
 * `nn.ReLU6` as one kernel forward (`tf.relu6`) and four backward: dx = dy · step(y · (6 − y)).
 * For y = relu6(x) ∈ [0, 6], y · (6 − y) is positive exactly when 0 < x < 6 (it cannot underflow
 * to zero: the smallest positive y gives about 6y, and 6 − y is exact near 6); the mask is read off
 * the saved output, so the input need not be kept. Every one of these kernels is a fast one on
 * tfjs's wasm backend; `y mod 6` also gives the mask, but its generic Mod took 7 ms per call there.
 *
 * tfjs-layers' 'relu6' activation is minimum(6, relu(x)): two kernels forward and five backward
 * (Greater, Cast, Multiply for the minimum, Step, Multiply for the relu). Its gradient is also
 * dy where 0 < x < 6 and 0 elsewhere, including exactly at 0 and at 6 (relu's step is 0 at 0;
 * the minimum passes the gradient to relu(x) only where 6 > relu(x)), which is also PyTorch's
 * hardtanh backward; this op gives the same at both points. (`tf.relu6`'s own registered
 * gradient differs: it passes dy at x = 6.) A NaN input gives a NaN gradient, as both do.
 */
export function relu6WithMaskGrad(x: tf.Tensor): tf.Tensor {
  if (!(x instanceof tf.Tensor) || x.dtype !== 'float32') {
    throw new Error(`relu6WithMaskGrad: x must be a float32 tensor, got ${x instanceof tf.Tensor ? x.dtype : typeof x}`);
  }
  const op = tf.customGrad((...args) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const value = tf.relu6(input);
    save([value]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor =>
      tf.tidy(() => {
        const y = saved[0]!;
        return tf.mul(dy, tf.step(tf.mul(y, tf.sub(6, y))));
      });
    return { value, gradFunc };
  });
  return op(x);
}

/** A weightless layer applying {@link relu6WithMaskGrad}, in training and inference alike. */
export class TorchReLU6 extends tfl.layers.Layer {
  static className = 'TorchReLU6';

  constructor(args: { name?: string } = {}) {
    // Passed through whole so a deserialised config keeps Layer's own keys (name, trainable, dtype).
    super(args as unknown as LayerArgs);
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x === undefined || (Array.isArray(inputs) && inputs.length !== 1)) {
      throw new Error(`TorchReLU6: layer '${this.name}' expects exactly one input tensor`);
    }
    return relu6WithMaskGrad(x);
  }
}

tf.serialization.registerClass(TorchReLU6);
