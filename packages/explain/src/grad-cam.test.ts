import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { gradCam, gradCamPlusPlus } from './grad-cam';
import { camFromGradients, cvResizeLinear, minMax } from './testing/reference';
import { branchyModel, randomImages } from './testing/test-models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const close = (expected: ArrayLike<number>, digits: number) => Array.from(expected).map((v) => expect.closeTo(v, digits));

/**
 * The branchy model's forward pass from the target activation T, written
 * with raw tf ops on the layers' weights: an implementation independent of
 * tfjs-layers and of our graph executor.
 */
function branchyReference(model: tfl.LayersModel, x: tf.Tensor4D) {
  const w = (name: string) => model.getLayer(name).getWeights();
  const nested = model.getLayer('nested') as tfl.LayersModel;
  const [ks, bs] = w('stem');
  const [kt, bt] = w('target');
  const [kse, bse] = w('se_fc');
  const [kn, bn] = nested.getLayer('nested_conv').getWeights();
  const [kl, bl] = w('logits');
  const stem = tf.relu(tf.add(tf.conv2d(x, ks as tf.Tensor4D, 1, 'same'), bs!));
  const target = tf.add(tf.conv2d(stem as tf.Tensor4D, kt as tf.Tensor4D, 1, 'same'), bt!) as tf.Tensor4D;
  const head = (t: tf.Tensor) => {
    const residual = tf.add(t, stem);
    const gate = tf.sigmoid(tf.add(tf.matMul(tf.mean(residual, [1, 2]), kse as tf.Tensor2D), bse!));
    const scaled = tf.mul(residual, tf.reshape(gate, [x.shape[0], 1, 1, -1]));
    const joined = tf.concat([scaled, stem], 3) as tf.Tensor4D;
    const inner = tf.relu(tf.add(tf.conv2d(joined, kn as tf.Tensor4D, 1, 'same'), bn!));
    return tf.add(tf.matMul(tf.mean(inner, [1, 2]), kl as tf.Tensor2D), bl!) as tf.Tensor2D;
  };
  return { target, head };
}

describe('gradCam', () => {
  test('equals a hand-written reference on a residual + SE + nested graph, per image of a batch', async () => {
    const model = branchyModel(11, 12, 3);
    const x = randomImages(3, 12, 3, 12);
    const classes = [2, 0, 1];
    const results = await gradCam(model, x, { layer: 'target', classIndex: classes });
    const { target, head } = branchyReference(model, x);
    const oneHot = tf.oneHot(tf.tensor1d(classes, 'int32'), 3);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(head(t), oneHot)))(target);
    const logits = head(target);
    const [a, g, z] = [target.dataSync(), grad.dataSync(), logits.dataSync()];
    for (let i = 0; i < 3; i++) {
      const size = 12 * 12 * 6;
      const expectedRaw = camFromGradients(a.subarray(i * size, (i + 1) * size), g.subarray(i * size, (i + 1) * size), 12, 12, 6, 'gradcam');
      const r = results[i]!;
      expect(r.layer).toBe('target');
      expect(r.classIndex).toBe(classes[i]);
      expect(r.raw.width).toBe(12);
      expect(Math.max(...expectedRaw)).toBeGreaterThan(0);
      expect(Array.from(r.raw.data)).toEqual(close(expectedRaw, 5));
      expect(Array.from(r.heatmap.data)).toEqual(close(minMax(expectedRaw), 5));
      expect(r.score).toBeCloseTo(z[i * 3 + classes[i]!]!, 5);
      const zi = Array.from(z.subarray(i * 3, i * 3 + 3));
      const e = zi.map((v) => Math.exp(v - Math.max(...zi)));
      expect(r.probabilities).toEqual(close(e.map((v) => v / e.reduce((s, u) => s + u, 0)), 5));
      expect(r.predictedClass).toBe(zi.indexOf(Math.max(...zi)));
    }
    tf.dispose([x, target, oneHot, grad, logits]);
  });

  test('defaults to the last conv layer and the predicted class; upsamples like cv2 INTER_LINEAR', async () => {
    const model = branchyModel(21, 12, 2);
    const input = randomImages(1, 12, 3, 22);
    const x = tf.image.resizeBilinear(input, [12, 12]) as tf.Tensor4D;
    const single = tf.squeeze(x, [0]) as tf.Tensor3D;
    const result = await gradCam(model, single);
    expect(result.layer).toBe('nested_conv');
    expect(result.classIndex).toBe(result.predictedClass);
    expect(result.heatmap.width).toBe(12);

    // A strided target (6x6) so the upsampling is exercised.
    const input2 = tfl.input({ shape: [16, 16, 1] });
    const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 3, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }), name: 'coarse' }).apply(input2) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }).apply(tfl.layers.flatten().apply(conv)) as tfl.SymbolicTensor;
    const coarse = tfl.model({ inputs: input2, outputs: out });
    const image = randomImages(1, 16, 1, 5);
    const r = await gradCam(coarse, image, { classIndex: 0 });
    expect(r[0]!.raw.width).toBe(5);
    expect(r[0]!.heatmap.width).toBe(16);
    const expected = cvResizeLinear(minMax(r[0]!.raw.data), 5, 5, 16, 16);
    expect(Array.from(r[0]!.heatmap.data)).toEqual(close(expected, 5));
    tf.dispose([input, x, single, image]);
  });

  test('single-output binary logit and two-class logits explain the same evidence; class 0 is the negation', async () => {
    const input = tfl.input({ shape: [8, 8, 1] });
    const features = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: tfl.initializers.glorotUniform({ seed: 8 }), name: 'features' }).apply(input) as tfl.SymbolicTensor;
    const pooled = tfl.layers.globalAveragePooling2d({}).apply(features) as tfl.SymbolicTensor;
    const binaryHead = tfl.layers.dense({ units: 1, name: 'binary' });
    const binary = tfl.model({ inputs: input, outputs: binaryHead.apply(pooled) as tfl.SymbolicTensor });
    const pairHead = tfl.layers.dense({ units: 2, name: 'pair' });
    const pair = tfl.model({ inputs: input, outputs: pairHead.apply(pooled) as tfl.SymbolicTensor });
    const sigmoidHead = tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'prob' });
    const probModel = tfl.model({ inputs: input, outputs: sigmoidHead.apply(pooled) as tfl.SymbolicTensor });
    // Binary logit z = v.p + b; the pair model's logits are [-z/2, z/2], so softmax(pair) = [1 - sigmoid(z), sigmoid(z)].
    const v = tf.tensor2d([[0.9], [-1.3], [0.4]]);
    binaryHead.setWeights([v, tf.tensor1d([0.1])]);
    sigmoidHead.setWeights([v, tf.tensor1d([0.1])]);
    pairHead.setWeights([tf.concat([tf.mul(v, -0.5), tf.mul(v, 0.5)], 1), tf.tensor1d([-0.05, 0.05])]);

    const x = randomImages(2, 8, 1, 9);
    const before = tf.memory().numTensors;
    const b1 = await gradCam(binary, x, { classIndex: 1 });
    const b0 = await gradCam(binary, x, { classIndex: 0 });
    const p1 = await gradCam(pair, x, { classIndex: 1 });
    const p0 = await gradCam(pair, x, { classIndex: 0 });
    const bDefault = await gradCam(binary, x);
    const s1 = await gradCam(probModel, x, { classIndex: 1 });
    expect(tf.memory().numTensors).toBe(before);

    // Analytic Grad-CAM for conv -> GAP -> dense: weights are v / (h w), class 0 uses -v.
    const activation = (tfl.model({ inputs: input, outputs: features }).predict(x) as tf.Tensor).dataSync();
    const vs = v.dataSync();
    const z = (binary.predict(x) as tf.Tensor).dataSync();
    for (let i = 0; i < 2; i++) {
      for (const [sign, result] of [[1, b1[i]!], [-1, b0[i]!]] as const) {
        const expectedRaw = Array.from({ length: 64 }, (_, p) =>
          Math.max(0, sign * [0, 1, 2].reduce((s, k) => s + (vs[k]! / 64) * activation[i * 192 + p * 3 + k]!, 0)),
        );
        expect(Array.from(result.raw.data)).toEqual(close(expectedRaw, 5));
        expect(result.score).toBeCloseTo(sign * z[i]!, 5);
      }
      const sig = 1 / (1 + Math.exp(-z[i]!));
      expect(b1[i]!.probabilities).toEqual(close([1 - sig, sig], 5));
      expect(p1[i]!.probabilities).toEqual(close([1 - sig, sig], 5));
      expect(b1[i]!.predictedClass).toBe(z[i]! > 0 ? 1 : 0);
      expect(bDefault[i]!.classIndex).toBe(z[i]! > 0 ? 1 : 0);
      expect(s1[i]!.predictedClass).toBe(z[i]! > 0 ? 1 : 0);
      expect(s1[i]!.probabilities).toEqual(close([1 - sig, sig], 5));
      // Same direction of evidence: the normalised maps agree (pair logits are z/2, so raw maps are halved).
      expect(Array.from(p1[i]!.heatmap.data)).toEqual(close(b1[i]!.heatmap.data, 4));
      expect(Array.from(p0[i]!.heatmap.data)).toEqual(close(b0[i]!.heatmap.data, 4));
      expect(Array.from(p1[i]!.raw.data)).toEqual(close(Array.from(b1[i]!.raw.data).map((u) => u / 2), 5));
    }
    tf.dispose([x, v]);
  });

  test('rejects bad inputs with the function name in the message', async () => {
    const model = branchyModel(31);
    const wrongSize = randomImages(1, 10, 3, 1);
    const wrongRank = tf.zeros([12, 12]);
    const before = tf.memory().numTensors;
    await expect(gradCam(model, wrongSize)).rejects.toThrow(/gradCam: model branchy expects input shape \[N, 12, 12, 3\], got \[1, 10, 10, 3\]/);
    await expect(gradCam(model, wrongRank as unknown as tf.Tensor3D)).rejects.toThrow(/gradCam: expected a rank-3 \[H, W, C\] or rank-4 \[N, H, W, C\] tensor, got rank 2/);
    const ok = randomImages(2, 12, 3, 2);
    await expect(gradCam(model, ok, { layer: 'nope' })).rejects.toThrow(/gradCam: model branchy has no layer named 'nope'/);
    await expect(gradCam(model, ok, { layer: 'se_fc' })).rejects.toThrow(/gradCam: layer se_fc must output a rank-4/);
    await expect(gradCam(model, ok, { classIndex: 2 })).rejects.toThrow(/gradCam: classIndex 2 is out of range for a model with 2 outputs/);
    await expect(gradCam(model, ok, { classIndex: [0] })).rejects.toThrow(/gradCam: classIndex has 1 entries for a batch of 2 images/);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([wrongSize, wrongRank, ok]);
  });
});

describe('gradCamPlusPlus', () => {
  test('equals the closed-form alpha weighting computed in plain loops', async () => {
    const model = branchyModel(41, 12, 2);
    const x = randomImages(2, 12, 3, 42);
    const before = tf.memory().numTensors;
    const results = await gradCamPlusPlus(model, x, { layer: 'target', classIndex: 1 });
    expect(tf.memory().numTensors).toBe(before);
    const { target, head } = branchyReference(model, x);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.slice(head(t), [0, 1], [-1, 1])))(target);
    const [a, g] = [target.dataSync(), grad.dataSync()];
    for (let i = 0; i < 2; i++) {
      const size = 12 * 12 * 6;
      const expected = camFromGradients(a.subarray(i * size, (i + 1) * size), g.subarray(i * size, (i + 1) * size), 12, 12, 6, 'gradcam++');
      expect(Math.max(...expected)).toBeGreaterThan(0);
      expect(Array.from(results[i]!.raw.data)).toEqual(close(expected, 5));
      expect(Array.from(results[i]!.heatmap.data)).toEqual(close(minMax(expected), 4));
    }
    tf.dispose([x, target, grad]);
  });
});

describe('no tensor growth', () => {
  test('100 calls of gradCam and gradCamPlusPlus leave the tensor count unchanged', async () => {
    const model = branchyModel(51, 12, 2);
    const x = randomImages(2, 12, 3, 52);
    await gradCam(model, x); // first call may build lazily-created state
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      await gradCam(model, x, { layer: 'target' });
      await gradCamPlusPlus(model, x);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
