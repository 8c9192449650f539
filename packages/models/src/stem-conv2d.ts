import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { registeredLayerClass } from './registered-layer-class';

/** tfjs-layers' `Conv2D` layer (its class is not exported by name). */
export type StockConv2D = ReturnType<typeof tfl.layers.conv2d>;
export type StemConv2DArgs = Parameters<typeof tfl.layers.conv2d>[0];
export type StockConv2DClass = (new (args: StemConv2DArgs) => StockConv2D) & Pick<typeof tfl.layers.Layer, 'fromConfig'>;

type Kwargs = Parameters<StockConv2D['call']>[1];

const StockConv2DBase = registeredLayerClass<StockConv2DClass>('Conv2D', 'StemConv2D');

/**
 * A `Conv2D` for a model's first convolution, whose input is the image. tfjs-layers' Conv2D runs
 * `tf.fused.conv2d`, and under a gradient tape that is a custom-gradient op which always computes
 * the input gradient (Conv2DBackpropInput), though nothing needs it for an image: 81 ms per batch
 * of 8 for ResNet18's 7×7/2 stem on wasm. In training this layer calls the unfused `tf.conv2d`,
 * whose registered gradient is computed per input, so the tape skips the input's when the input
 * does not depend on what is differentiated (and still computes it when it does, e.g. for input
 * saliency). Weights, names, config and the inference path are the stock layer's.
 *
 * With a bias it trains as the stock layer: the wasm backend's fused kernel adds the bias inside the
 * convolution's accumulation, so conv2d followed by add would round differently there. The stems of
 * ResNet18, MobileNetV2, EfficientNet-B3 and the text CNN have no bias; the notebook CNN's biased
 * conv1 stays a plain Conv2D.
 */
export class StemConv2D extends StockConv2DBase {
  static className = 'StemConv2D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) && inputs.length === 1 ? inputs[0]! : inputs;
    if (
      !kwargs['training'] ||
      this.bias != null ||
      Array.isArray(x) ||
      x.rank !== 4 ||
      this.dataFormat !== 'channelsLast' ||
      this.activation.getClassName() !== 'linear' ||
      (this.padding !== 'same' && this.padding !== 'valid')
    ) {
      return super.call(inputs, kwargs);
    }
    const kernel = this.kernel.read() as tf.Tensor4D;
    const strides = this.strides as [number, number];
    const dilations = this.dilationRate as [number, number];
    const padding = this.padding;
    return tf.tidy(() => tf.conv2d(x as tf.Tensor4D, kernel, strides, padding, 'NHWC', dilations));
  }
}

tf.serialization.registerClass(StemConv2D);
