import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * A 'valid' convolution whose filter gradient is itself a forward convolution (input and output gradient
 * swapped into batch and channel positions). tfjs-backend-cpu's Conv2DBackpropFilter kernel is roughly 80x
 * slower than its Conv2D on the same work, which would make a training test take minutes.
 */
export function conv2dFastGrad(x: tf.Tensor4D, w: tf.Tensor4D, stride: number): tf.Tensor4D {
  // customGrad passes the inputs then the save function, all as one rest parameter.
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, ws, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xs, ws]);
    return {
      value: tf.conv2d(xs, ws, stride, 'valid'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy4 = dy as tf.Tensor4D;
        const dx = tf.conv2dTranspose(dy4, sw, sx.shape, stride, 'valid');
        const [k, , inChannels, outChannels] = sw.shape;
        const xT = tf.transpose(sx, [3, 1, 2, 0]);
        const dyT = tf.transpose(dy4, [1, 2, 0, 3]);
        const full = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', stride);
        const dw = tf.transpose(tf.slice(full, [0, 0, 0, 0], [inChannels, k, k, outChannels]), [1, 2, 0, 3]);
        return [dx, dw];
      },
    };
  });
  return op(x, w) as tf.Tensor4D;
}

interface FastConvArgs {
  kernelSize: number;
  strides: number;
  filters: number;
  seed: number;
}

/** conv2d ('valid') + bias + ReLU as a tfjs-layers layer, trained through `conv2dFastGrad`. */
export class FastConv2D extends tfl.layers.Layer {
  static className = 'FastConv2D';
  private kernel?: tfl.LayerVariable;
  private bias?: tfl.LayerVariable;

  constructor(private readonly args: FastConvArgs) {
    super({});
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = inputShape as tfl.Shape;
    const { kernelSize: k, filters, seed } = this.args;
    this.kernel = this.addWeight('kernel', [k, k, shape[3] as number, filters], 'float32', tfl.initializers.heNormal({ seed }));
    this.bias = this.addWeight('bias', [filters], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = inputShape as tfl.Shape;
    const out = (n: number) => Math.floor((n - this.args.kernelSize) / this.args.strides) + 1;
    return [shape[0], out(shape[1] as number), out(shape[2] as number), this.args.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const y = conv2dFastGrad(x, this.kernel!.read() as tf.Tensor4D, this.args.strides);
      return tf.relu(tf.add(y, this.bias!.read()));
    });
  }
}
