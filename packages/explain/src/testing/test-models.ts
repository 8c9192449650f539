import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Test-only models. A residual block whose skip bypasses the target conv,
 * plus a squeeze-and-excitation multiply, a concatenation and a nested
 * Sequential: every kind of edge a split-the-graph Grad-CAM gets wrong.
 */
export function branchyModel(seed: number, size = 12, numClasses = 2): tfl.LayersModel {
  const init = (offset: number) => tfl.initializers.glorotUniform({ seed: seed + offset });
  const input = tfl.input({ shape: [size, size, 3], name: 'image' });
  const stem = tfl.layers
    .conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1), name: 'stem' })
    .apply(input) as tfl.SymbolicTensor;
  const target = tfl.layers
    .conv2d({ filters: 6, kernelSize: 3, padding: 'same', kernelInitializer: init(2), name: 'target' })
    .apply(stem) as tfl.SymbolicTensor;
  const residual = tfl.layers.add({ name: 'residual' }).apply([target, stem]) as tfl.SymbolicTensor;
  const squeezed = tfl.layers.globalAveragePooling2d({ name: 'se_pool' }).apply(residual) as tfl.SymbolicTensor;
  const excitation = tfl.layers
    .dense({ units: 6, activation: 'sigmoid', kernelInitializer: init(3), name: 'se_fc' })
    .apply(squeezed) as tfl.SymbolicTensor;
  const gate = tfl.layers.reshape({ targetShape: [1, 1, 6], name: 'se_reshape' }).apply(excitation) as tfl.SymbolicTensor;
  const scaled = tfl.layers.multiply({ name: 'se_scale' }).apply([residual, gate]) as tfl.SymbolicTensor;
  const inner = tfl.sequential({
    name: 'nested',
    layers: [
      tfl.layers.conv2d({
        inputShape: [size, size, 12],
        filters: 4,
        kernelSize: 1,
        activation: 'relu',
        kernelInitializer: init(4),
        name: 'nested_conv',
      }),
      tfl.layers.globalAveragePooling2d({ name: 'nested_pool' }),
    ],
  });
  const joined = tfl.layers.concatenate({ name: 'join' }).apply([scaled, stem]) as tfl.SymbolicTensor;
  const pooled = inner.apply(joined) as tfl.SymbolicTensor;
  const logits = tfl.layers
    .dense({ units: numClasses, kernelInitializer: init(5), biasInitializer: 'ones', name: 'logits' })
    .apply(pooled) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: 'branchy' });
}

/** Seeded uniform image batch in [0, 1]. */
export function randomImages(n: number, size: number, channels: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([n, size, size, channels], 0, 1, 'float32', seed) as tf.Tensor4D;
}
