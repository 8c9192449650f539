import * as tf from '@tensorflow/tfjs-core';
import { ActivationLayer } from './activation-layer';

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
export class TorchReLU6 extends ActivationLayer {
  static className = 'TorchReLU6';

  constructor(args: { name?: string } = {}) {
    super(args);
  }

  protected activate(x: tf.Tensor): tf.Tensor {
    return relu6WithMaskGrad(x);
  }
}

tf.serialization.registerClass(TorchReLU6);
