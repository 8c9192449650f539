import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { BATCH_NORM_GRAD_KERNEL, batchNormInTraining, TorchBatchNorm } from './torch-batch-norm';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SHAPE = [3, 5, 4, 4];
// Per-channel mean and spread of the input: a centred channel, shifted ones, and one whose mean
// dwarfs its tiny spread (where a naive Σdy·x − μΣdy gradient would cancel to noise).
const MEANS = [0, 5, -3, 10];
const SPREADS = [1, 2, 0.5, 1e-3];

function makeInput(seed: number): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(tf.randomNormal(SHAPE, 0, 1, 'float32', seed), SPREADS), MEANS) as tf.Tensor4D);
}

/** The stock tfjs-layers layer and the new one, built, with the same non-trivial weights. */
function makePair(): { stock: tfl.layers.Layer; fast: TorchBatchNorm } {
  const args = { axis: -1, epsilon: 1e-5, momentum: 0.9 };
  const stock = tfl.layers.batchNormalization({ ...args, name: 'stock_bn' });
  const fast = new TorchBatchNorm({ ...args, name: 'fast_bn' });
  stock.build(SHAPE);
  fast.build(SHAPE);
  const weights = tf.tidy(() => [
    tf.tensor1d([1.5, -0.7, 0.3, 2]),
    tf.tensor1d([0.1, -0.2, 0.5, 0]),
    tf.tensor1d([0.2, 4, -2, 9]),
    tf.tensor1d([1.1, 3, 0.4, 0.01]),
  ]);
  stock.setWeights(weights);
  fast.setWeights(weights);
  tf.dispose(weights);
  return { stock, fast };
}

// Layer.dispose() refuses layers that were only called eagerly; their weights are all they hold.
function disposeLayers(...layers: tfl.layers.Layer[]): void {
  for (const layer of layers) for (const w of layer.weights) w.dispose();
}

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]!);
}

/** max |actual − expected| ≤ tol · max |expected|, the comparison the gradients are held to. */
function expectClose(actual: tf.Tensor, expected: tf.Tensor, tol = 1e-5): void {
  expect(actual.shape).toEqual(expected.shape);
  const err = tf.tidy(() => maxAbs(tf.sub(actual, expected)));
  expect(err).toBeLessThanOrEqual(tol * maxAbs(expected));
}

/** d(Σ y·w)/d[x, γ, β] through `layer` in training mode. */
function gradients(layer: tfl.layers.Layer, x: tf.Tensor, w: tf.Tensor): { value: tf.Tensor; grads: tf.Tensor[] } {
  const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  const xVar = tf.variable(x, true);
  let value: tf.Tensor | undefined;
  const { value: loss, grads } = tf.variableGrads(() => {
    value = tf.keep(layer.apply(xVar, { training: true }) as tf.Tensor);
    return tf.sum(tf.mul(value, w));
  }, [xVar, gamma!, beta!]);
  const result = { value: value!, grads: [grads[xVar.name]!, grads[gamma!.name]!, grads[beta!.name]!] };
  tf.dispose([xVar, loss]);
  return result;
}

describe('TorchBatchNorm', () => {
  test('training gradients (dx, dγ, dβ), output and moving statistics match tfjs-layers BatchNormalization', () => {
    const { stock, fast } = makePair();
    const x = makeInput(1);
    const w = tf.randomNormal(SHAPE, 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;

    const expected = gradients(stock, x, w);
    const actual = gradients(fast, x, w);
    expect(Array.from(actual.value.dataSync())).toEqual(Array.from(expected.value.dataSync()));
    actual.grads.forEach((g, i) => expectClose(g, expected.grads[i]!));
    // the tiny-variance channel on its own, so its small absolute error is not hidden by the others
    const channel3 = (t: tf.Tensor) => tf.slice(t, [0, 0, 0, 3], [-1, -1, -1, 1]);
    tf.tidy(() => expectClose(channel3(actual.grads[0]!), channel3(expected.grads[0]!)));
    // moving mean and variance, updated with the same ops from the same statistics: bit-identical
    const stockWeights = stock.getWeights();
    const fastWeights = fast.getWeights();
    fastWeights.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(stockWeights[i]!.dataSync())));
    expect(Array.from(fastWeights[2]!.dataSync())).not.toEqual([0.2, 4, -2, 9].map(Math.fround));

    tf.dispose([expected.value, actual.value, ...expected.grads, ...actual.grads]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
    disposeLayers(stock, fast);
  });

  test('one SGD step leaves the same weights and the next forward pass agrees', () => {
    const { stock, fast } = makePair();
    const x = makeInput(3);
    const w = tf.randomNormal(SHAPE, 0, 1, 'float32', 4);
    const before = tf.memory().numTensors;

    for (const layer of [stock, fast]) {
      const optimizer = tf.train.sgd(0.1);
      const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
      optimizer.minimize(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, w)), false, vars);
      optimizer.dispose();
    }
    const stockWeights = stock.getWeights();
    fast.getWeights().forEach((v, i) => expectClose(v, stockWeights[i]!));
    tf.tidy(() => expectClose(fast.apply(x, { training: false }) as tf.Tensor, stock.apply(x, { training: false }) as tf.Tensor));

    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
    disposeLayers(stock, fast);
  });

  test('inference is bit-identical to the stock layer and updates nothing', () => {
    const { stock, fast } = makePair();
    const x = makeInput(5);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const expected = stock.apply(x, { training: false }) as tf.Tensor;
      const actual = fast.apply(x) as tf.Tensor;
      expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    });
    expect(Array.from(fast.getWeights()[2]!.dataSync())).toEqual([0.2, 4, -2, 9].map(Math.fround));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    disposeLayers(stock, fast);
  });

  test('keeps the stock config and weight names, and round-trips through its config', () => {
    const { stock, fast } = makePair();
    const { name: stockName, ...stockConfig } = stock.getConfig();
    const { name: fastName, ...fastConfig } = fast.getConfig();
    expect([stockName, fastName]).toEqual(['stock_bn', 'fast_bn']);
    expect(fastConfig).toEqual(stockConfig);
    expect(fast.getClassName()).toBe('TorchBatchNorm');
    expect(fast.weights.map((v) => v.originalName)).toEqual(stock.weights.map((v) => v.originalName));
    expect(fast.weights.map((v) => v.originalName)).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance']);
    const copy = TorchBatchNorm.fromConfig(TorchBatchNorm, fast.getConfig());
    expect(copy).toBeInstanceOf(TorchBatchNorm);
    expect(copy.getConfig()).toEqual(fast.getConfig());
    disposeLayers(stock, fast);
  });

  test('the training step runs far fewer kernels than the stock layer', async () => {
    const { stock, fast } = makePair();
    const x = makeInput(7);
    const before = tf.memory().numTensors;
    const count = async (layer: tfl.layers.Layer): Promise<number> => {
      const profile = await tf.profile(() => {
        const { value, grads } = gradients(layer, x, x);
        tf.dispose([value, ...grads]);
      });
      return profile.kernels.length;
    };
    const stockKernels = await count(stock);
    const fastKernels = await count(fast);
    expect(fastKernels).toBeLessThan(stockKernels / 2);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    disposeLayers(stock, fast);
  });
});

describe('batchNormInTraining', () => {
  test('names itself in errors for bad inputs', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.zeros([2, 3]);
      const g = tf.ones([3]);
      expect(() => batchNormInTraining(tf.zeros([3]), g, g, 1e-5)).toThrow(/batchNormInTraining: x must be/);
      expect(() => batchNormInTraining(x, tf.ones([2]), g, 1e-5)).toThrow(/batchNormInTraining: gamma must be a float32 \[3\]/);
      expect(() => batchNormInTraining(x, g, g, -1)).toThrow(/batchNormInTraining: epsilon/);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe(`the ${BATCH_NORM_GRAD_KERNEL} kernel, when the backend has one`, () => {
  /**
   * A cpu kernel under the contract's name, computing the closed form in float64 and recording its inputs:
   * what @fracture/backend registers for wasm, where this package's tests cannot reach.
   */
  function registerRecordingKernel(seen: { centered: number[][]; calls: number }): void {
    tf.registerKernel({
      kernelName: BATCH_NORM_GRAD_KERNEL,
      backendName: 'cpu',
      kernelFunc: ({ inputs, backend }) => {
        const cpu = backend as tf.KernelBackend & { makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo };
        const read = (t: tf.TensorInfo) => cpu.readSync(t.dataId) as Float32Array;
        const { dy, centered, gamma, rstd } = inputs as Record<'dy' | 'centered' | 'gamma' | 'rstd', tf.TensorInfo>;
        const [d, xc, g, r] = [dy, centered, gamma, rstd].map((t) => read(t!));
        const channels = g!.length;
        const rows = d!.length / channels;
        seen.calls++;
        seen.centered.push(Array.from(xc!));
        const sumDy = new Float64Array(channels);
        const sumDyXc = new Float64Array(channels);
        d!.forEach((v, i) => {
          sumDy[i % channels] += v;
          sumDyXc[i % channels] += v * xc![i]!;
        });
        const dx = d!.map((v, i) => {
          const c = i % channels;
          return g![c]! * r![c]! * (v - sumDy[c]! / rows - (xc![i]! * r![c]! * r![c]! * sumDyXc[c]!) / rows);
        });
        return [
          cpu.makeTensorInfo(dy!.shape, 'float32', dx),
          cpu.makeTensorInfo([channels], 'float32', Float32Array.from(sumDyXc, (v, c) => v * r![c]!)),
          cpu.makeTensorInfo([channels], 'float32', Float32Array.from(sumDy)),
        ];
      },
    });
  }

  test('is called once per backward pass with x − mean, and gives the composed gradients', () => {
    const x = makeInput(7);
    const w = tf.randomNormal(SHAPE, 0, 1, 'float32', 8);
    const { stock, fast } = makePair();
    const composed = gradients(fast, x, w);
    const seen = { centered: [] as number[][], calls: 0 };
    registerRecordingKernel(seen);
    try {
      const before = tf.memory().numTensors;
      const fused = gradients(fast, x, w);
      expect(seen.calls).toBe(1);
      const centered = tf.tidy(() => tf.sub(x, tf.mean(x, [0, 1, 2])));
      const recorded = tf.tensor(seen.centered[0]!, SHAPE);
      expectClose(recorded, centered, 1e-6);
      for (let k = 0; k < 3; k++) expectClose(fused.grads[k]!, composed.grads[k]!);
      tf.dispose([fused.value, ...fused.grads, centered, recorded]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tf.unregisterKernel(BATCH_NORM_GRAD_KERNEL, 'cpu');
    }
    // Without the kernel the composed form runs again: no call is recorded.
    const again = gradients(fast, x, w);
    expect(seen.calls).toBe(1);
    tf.dispose([x, w, composed.value, ...composed.grads, again.value, ...again.grads]);
    disposeLayers(stock, fast);
  });
});
