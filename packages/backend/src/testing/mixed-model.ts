import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type Node = tfl.SymbolicTensor;

/**
 * Test helper: one small network with every layer type the four study models train through (ZeroPadding2D +
 * valid stride-2 convs, 'same' convs, 7x7 stem, max pooling, residual add, 1x1 stride-2 shortcut, batch norm,
 * ReLU / ReLU6 / swish, 3x3 and 5x5 depthwise convs, squeeze-and-excitation with sigmoid gating, global average
 * pooling, dropout, dense). Weights come from seeded initializers so two builds are identical.
 */
export function createMixedModel(inputSize = 32, seed = 7): tfl.LayersModel {
  let s = seed;
  const init = () => tfl.initializers.glorotUniform({ seed: s++ });
  const conv = (x: Node, filters: number, kernelSize: number, strides = 1, pad = 0): Node => {
    const input = pad > 0 ? (tfl.layers.zeroPadding2d({ padding: pad }).apply(x) as Node) : x;
    return tfl.layers
      .conv2d({ filters, kernelSize, strides, padding: pad > 0 || kernelSize === 1 ? 'valid' : 'same', useBias: false, kernelInitializer: init() })
      .apply(input) as Node;
  };
  const depthwise = (x: Node, kernelSize: number, strides = 1, pad = 0): Node => {
    const input = pad > 0 ? (tfl.layers.zeroPadding2d({ padding: pad }).apply(x) as Node) : x;
    return tfl.layers
      .depthwiseConv2d({ kernelSize, strides, padding: pad > 0 ? 'valid' : 'same', useBias: false, depthwiseInitializer: init() })
      .apply(input) as Node;
  };
  const bn = (x: Node): Node => tfl.layers.batchNormalization({ axis: -1, epsilon: 1e-5, momentum: 0.9 }).apply(x) as Node;
  const act = (x: Node, activation: 'relu' | 'relu6' | 'swish' | 'sigmoid'): Node =>
    tfl.layers.activation({ activation }).apply(x) as Node;

  const input = tfl.input({ shape: [inputSize, inputSize, 3] });
  let x = act(bn(conv(input, 8, 7, 2, 3)), 'relu');
  x = tfl.layers.zeroPadding2d({ padding: 1 }).apply(x) as Node;
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid' }).apply(x) as Node;
  // residual block
  let y = act(bn(conv(x, 8, 3)), 'relu');
  y = bn(conv(y, 8, 3));
  x = act(tfl.layers.add().apply([x, y]) as Node, 'relu');
  // downsampling residual block with a 1x1 stride-2 shortcut
  y = act(bn(conv(x, 12, 3, 2, 1)), 'relu');
  y = bn(conv(y, 12, 3));
  const shortcut = bn(conv(x, 12, 1, 2));
  x = act(tfl.layers.add().apply([shortcut, y]) as Node, 'relu');
  // inverted residual (MobileNetV2)
  y = act(bn(conv(x, 24, 1)), 'relu6');
  y = act(bn(depthwise(y, 3, 1)), 'relu6');
  x = tfl.layers.add().apply([x, bn(conv(y, 12, 1))]) as Node;
  // MBConv with squeeze-and-excitation (EfficientNet), stride-2 5x5 depthwise
  y = act(bn(conv(x, 24, 1)), 'swish');
  y = act(bn(depthwise(y, 5, 2, 2)), 'swish');
  let se = tfl.layers.globalAveragePooling2d({}).apply(y) as Node;
  se = tfl.layers.dense({ units: 6, activation: 'swish', kernelInitializer: init() }).apply(se) as Node;
  se = tfl.layers.dense({ units: 24, activation: 'sigmoid', kernelInitializer: init() }).apply(se) as Node;
  se = tfl.layers.reshape({ targetShape: [1, 1, 24] }).apply(se) as Node;
  y = tfl.layers.multiply().apply([y, se]) as Node;
  x = bn(conv(y, 16, 1));
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as Node;
  x = tfl.layers.dropout({ rate: 0.2, seed: s++ }).apply(x) as Node;
  const output = tfl.layers.dense({ units: 2, kernelInitializer: init() }).apply(x) as Node;
  return tfl.model({ inputs: input, outputs: output });
}

/** Mean softmax cross-entropy on logits, as the training package uses. */
export function crossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}
