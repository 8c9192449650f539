import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { StemConv2D } from './stem-conv2d';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const INPUT = [2, 9, 9, 3];

/** Stock Conv2D and StemConv2D (3×3, stride 2, with or without bias) with the same weights. */
function makePair(useBias: boolean): { stock: tfl.layers.Layer; stem: StemConv2D } {
  const args = { filters: 4, kernelSize: 3, strides: 2, padding: 'valid' as const, useBias };
  const stock = tfl.layers.conv2d({ ...args, name: 'stock_conv' });
  const stem = new StemConv2D({ ...args, name: 'stem_conv' });
  stock.build(INPUT);
  stem.build(INPUT);
  const weights = tf.tidy(() => stock.weights.map((w, i) => tf.randomNormal(w.shape as number[], 0, 1, 'float32', 10 + i)));
  stock.setWeights(weights);
  stem.setWeights(weights);
  tf.dispose(weights);
  return { stock, stem };
}

function disposeLayers(...layers: tfl.layers.Layer[]): void {
  for (const layer of layers) for (const w of layer.weights) w.dispose();
}

/** Output and gradients of Σ y·w w.r.t. the layer's weights in training mode, with the kernels that ran. */
async function trainingStep(layer: tfl.layers.Layer, x: tf.Tensor, w: tf.Tensor) {
  const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  let output: tf.Tensor | undefined;
  let grads: tf.Tensor[] = [];
  const profile = await tf.profile(() => {
    const result = tf.variableGrads(() => {
      output = tf.keep(layer.apply(x, { training: true }) as tf.Tensor);
      return tf.sum(tf.mul(output, w));
    }, vars);
    grads = vars.map((v) => result.grads[v.name]!);
    result.value.dispose();
  });
  return { output: output!, grads, kernels: profile.kernels.map((k) => k.name) };
}

describe('StemConv2D', () => {
  // With a bias the layer trains as the stock one (see StemConv2D), so the input gradient still runs.
  test.each([false, true])('training (bias %s): same output and weight gradients; Conv2DBackpropInput only with bias', async (useBias) => {
    const { stock, stem } = makePair(useBias);
    const x = tf.randomUniform(INPUT, 0, 1, 'float32', 1);
    const w = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;

    const expected = await trainingStep(stock, x, w);
    const actual = await trainingStep(stem, x, w);
    expect(Array.from(actual.output.dataSync())).toEqual(Array.from(expected.output.dataSync()));
    expect(actual.grads).toHaveLength(useBias ? 2 : 1);
    actual.grads.forEach((g, i) => expect(Array.from(g.dataSync())).toEqual(Array.from(expected.grads[i]!.dataSync())));
    expect(expected.kernels).toContain('Conv2DBackpropInput');
    expect(actual.kernels).toContain('Conv2DBackpropFilter');
    if (useBias) expect(actual.kernels).toContain('Conv2DBackpropInput');
    else expect(actual.kernels).not.toContain('Conv2DBackpropInput');

    tf.dispose([expected.output, actual.output, ...expected.grads, ...actual.grads]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
    disposeLayers(stock, stem);
  });

  test('still gives the input gradient when it is asked for (e.g. saliency)', () => {
    const { stock, stem } = makePair(false);
    const x = tf.randomUniform(INPUT, 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const dx = (layer: tfl.layers.Layer) => tf.grad((t: tf.Tensor) => tf.sum(tf.square(layer.apply(t, { training: true }) as tf.Tensor)))(x);
      expect(Array.from(dx(stem).dataSync())).toEqual(Array.from(dx(stock).dataSync()));
    });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    disposeLayers(stock, stem);
  });

  test('inference is the stock layer, and the config round-trips', () => {
    const { stock, stem } = makePair(true);
    const x = tf.randomUniform(INPUT, 0, 1, 'float32', 4);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const expected = stock.apply(x) as tf.Tensor;
      expect(Array.from((stem.apply(x) as tf.Tensor).dataSync())).toEqual(Array.from(expected.dataSync()));
    });
    expect(tf.memory().numTensors).toBe(before);
    const { name: stockName, ...stockConfig } = stock.getConfig();
    const { name: stemName, ...stemConfig } = stem.getConfig();
    expect([stockName, stemName]).toEqual(['stock_conv', 'stem_conv']);
    expect(stemConfig).toEqual(stockConfig);
    const copy = StemConv2D.fromConfig(StemConv2D, stem.getConfig());
    expect(copy.getClassName()).toBe('StemConv2D');
    expect(copy.getConfig()).toEqual(stem.getConfig());
    x.dispose();
    disposeLayers(stock, stem);
  });
});
