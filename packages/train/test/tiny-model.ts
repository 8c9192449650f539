import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * A small conv net whose initial weights come from a fixed formula, so two
 * instances (in this process or a child process) start identical without
 * relying on tfjs's random initialisers.
 */
export function tinyConvNet(options: { size?: number; batchNorm?: boolean; classes?: number; filters?: number } = {}): tfl.LayersModel {
  const size = options.size ?? 8;
  const input = tfl.input({ shape: [size, size, 1] });
  let x = tfl.layers.conv2d({ filters: options.filters ?? 4, kernelSize: 3, padding: 'same', name: 'conv' }).apply(input) as tfl.SymbolicTensor;
  if (options.batchNorm ?? true) x = tfl.layers.batchNormalization({ name: 'bn', momentum: 0.9 }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: options.classes ?? 2, name: 'head' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: logits });
  setFormulaWeights(model);
  return model;
}

/** Overwrites every trainable weight with 0.3 * sin(1.7 i + 0.1 k) (k: weight index), deterministic everywhere. */
export function setFormulaWeights(model: tfl.LayersModel): void {
  tf.tidy(() => {
    model.trainableWeights.forEach((w, k) => {
      const size = w.shape.reduce((a, b) => a! * b!, 1)!;
      const values = Float32Array.from({ length: size }, (_, i) => 0.3 * Math.sin(1.7 * i + 0.1 * k));
      w.write(tf.tensor(values, w.shape as number[]));
    });
  });
}

/** All weights of a model as plain arrays, for exact comparisons. */
export function weightValues(model: tfl.LayersModel): number[][] {
  // Layer by layer: model.weights puts trainable weights first, so its order changes when layers are frozen.
  return model.layers.flatMap((l) => l.weights).map((w) => Array.from(w.read().dataSync()));
}
