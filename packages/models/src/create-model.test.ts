import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countParameters } from './count-parameters';
import { createCustomCnn } from './custom-cnn';
import { createModel } from './create-model';
import { createEfficientNetB3 } from './efficientnet-b3';
import { createMobileNetV2 } from './mobilenet-v2';
import type { ModelName, ModelOptions } from './model-types';
import { loadModel } from './load-model';
import { createResNet18 } from './resnet18';
import { saveModel } from './save-model';
import { torchStateDictShapes } from './torch-names';

// Parameter counts do not depend on the input size (global pooling) except for the CNN, so the
// torchvision models are built at 32 px to keep the test quick.
describe('parameter counts equal torchvision / the study exactly', () => {
  test.each([
    ['resnet18', { inputSize: 32 }, 11_177_538],
    ['resnet18', { inputSize: 32, numClasses: 1000, headDropout: 0 }, 11_689_512],
    ['efficientnet-b3', { inputSize: 32 }, 10_699_306],
    ['efficientnet-b3', { inputSize: 32, numClasses: 1000 }, 12_233_232],
    ['mobilenetv2', { inputSize: 32 }, 2_226_434],
    ['mobilenetv2', { inputSize: 32, numClasses: 1000 }, 3_504_872],
    ['cnn', {}, 5_610_222],
  ] as [ModelName, ModelOptions, number][])('%s %j → %i', (name, options, expected) => {
    const before = tf.memory().numTensors;
    const model = createModel(name, options);
    expect(countParameters(model)).toBe(expected);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test("the text CNN at 224 px: 4 conv+BN blocks and two FC layers, counted by hand", () => {
    const convs = [3 * 32, 32 * 64, 64 * 128, 128 * 128].reduce((s, io) => s + io * 9, 0);
    const batchNorm = 2 * (32 + 64 + 128 + 128);
    const fc = (128 * 14 * 14 * 128 + 128) + (128 * 2 + 2);
    const model = createCustomCnn({ variant: 'text' });
    expect(countParameters(model)).toBe(convs + batchNorm + fc);
    expect(convs + batchNorm + fc).toBe(3_452_834);
    model.dispose();
  });

  test('the notebook CNN by hand: 168 + 880 + 46,656 × 120 + 120 + 10,164 + 170', () => {
    expect(168 + 880 + 46_656 * 120 + 120 + 10_164 + 170).toBe(5_610_222);
  });

  test('countParameters excludes batch-norm running statistics, which tfjs countParams includes', () => {
    const model = createMobileNetV2({ inputSize: 32 });
    const bnChannels = model.layers
      .filter((l) => l.getClassName() === 'TorchBatchNorm')
      .reduce((s, l) => s + (l.getWeights()[0]!.shape[0] as number), 0);
    expect(model.countParams()).toBe(countParameters(model) + 2 * bnChannels);
    model.dispose();
  });
});

describe('torchvision state-dict names and shapes', () => {
  let resnet: tfl.LayersModel;
  let mobilenet: tfl.LayersModel;
  let efficientnet: tfl.LayersModel;
  beforeAll(() => {
    resnet = createResNet18({ inputSize: 32 });
    mobilenet = createMobileNetV2({ inputSize: 32 });
    efficientnet = createEfficientNetB3({ inputSize: 32 });
  });
  afterAll(() => [resnet, mobilenet, efficientnet].forEach((m) => m.dispose()));

  test('resnet18: 102 tensors (122 in torch minus 20 num_batches_tracked), shapes in OIHW', () => {
    const shapes = torchStateDictShapes(resnet);
    expect(Object.keys(shapes)).toHaveLength(102);
    expect(shapes['conv1.weight']).toEqual([64, 3, 7, 7]);
    expect(shapes['bn1.running_var']).toEqual([64]);
    expect(shapes['layer2.0.downsample.0.weight']).toEqual([128, 64, 1, 1]);
    expect(shapes['layer4.1.conv2.weight']).toEqual([512, 512, 3, 3]);
    expect(shapes['fc.1.weight']).toEqual([2, 512]);
    expect(shapes['fc.1.bias']).toEqual([2]);
    expect(shapes['layer1.0.downsample.0.weight']).toBeUndefined();
  });

  test('resnet18 with headDropout 0 has torchvision\'s bare fc', () => {
    const plain = createResNet18({ inputSize: 32, headDropout: 0, numClasses: 1000 });
    expect(torchStateDictShapes(plain)['fc.weight']).toEqual([1000, 512]);
    plain.dispose();
  });

  test('mobilenet_v2: 262 tensors (314 minus 52 num_batches_tracked), depthwise as [C, 1, 3, 3]', () => {
    const shapes = torchStateDictShapes(mobilenet);
    expect(Object.keys(shapes)).toHaveLength(262);
    expect(shapes['features.0.0.weight']).toEqual([32, 3, 3, 3]);
    expect(shapes['features.1.conv.0.0.weight']).toEqual([32, 1, 3, 3]);
    expect(shapes['features.1.conv.1.weight']).toEqual([16, 32, 1, 1]);
    expect(shapes['features.2.conv.0.0.weight']).toEqual([96, 16, 1, 1]);
    expect(shapes['features.2.conv.1.0.weight']).toEqual([96, 1, 3, 3]);
    expect(shapes['features.17.conv.2.weight']).toEqual([320, 960, 1, 1]);
    expect(shapes['features.18.0.weight']).toEqual([1280, 320, 1, 1]);
    expect(shapes['classifier.1.weight']).toEqual([2, 1280]);
  });

  test('efficientnet_b3: stage widths 40/24/32/48/96/136/232/384/1536 and SE convs with bias', () => {
    const shapes = torchStateDictShapes(efficientnet);
    expect(shapes['features.0.0.weight']).toEqual([40, 3, 3, 3]);
    expect(shapes['features.1.0.block.0.0.weight']).toEqual([40, 1, 3, 3]);
    expect(shapes['features.1.0.block.1.fc1.weight']).toEqual([10, 40, 1, 1]);
    expect(shapes['features.1.0.block.1.fc1.bias']).toEqual([10]);
    expect(shapes['features.1.1.block.2.0.weight']).toEqual([24, 24, 1, 1]);
    expect(shapes['features.3.0.block.1.0.weight']).toEqual([192, 1, 5, 5]);
    expect(shapes['features.6.5.block.3.0.weight']).toEqual([232, 1392, 1, 1]);
    expect(shapes['features.7.1.block.0.0.weight']).toEqual([2304, 384, 1, 1]);
    expect(shapes['features.7.2.block.0.0.weight']).toBeUndefined();
    expect(shapes['features.8.0.weight']).toEqual([1536, 384, 1, 1]);
    expect(shapes['classifier.1.weight']).toEqual([2, 1536]);
  });

  test('EfficientNet-B3 has 26 MBConv blocks, stochastic depth on every residual one', () => {
    const blocks = new Set(efficientnet.layers.map((l) => /^features\.(\d)\.(\d+)\./.exec(l.name)?.slice(1, 3).join('.')).filter(Boolean));
    expect(blocks.size).toBe(26);
    const sd = efficientnet.layers.filter((l) => l.getClassName() === 'StochasticDepth');
    // 26 blocks minus the 7 first blocks of a stage (channel or stride change) = 19 residual blocks.
    expect(sd).toHaveLength(19);
    expect((sd.at(-1)!.getConfig() as { rate: number }).rate).toBeCloseTo((0.2 * 25) / 26, 10);
  });

  test('batch norm: eps 1e-5 and PyTorch momentum 0.1 (Keras 0.9) everywhere', () => {
    for (const model of [resnet, mobilenet, efficientnet]) {
      const batchNorms = model.layers.filter((l) => l.getClassName() === 'TorchBatchNorm');
      expect(batchNorms.length).toBeGreaterThan(0);
      expect(model.layers.filter((l) => l.getClassName() === 'BatchNormalization')).toEqual([]);
      for (const layer of batchNorms) {
        const config = layer.getConfig() as { epsilon: number; momentum: number };
        expect(config.epsilon).toBe(1e-5);
        expect(config.momentum).toBe(0.9);
      }
    }
  });

  test('activations: ReLU (resnet18), ReLU6 (mobilenet_v2), SiLU (efficientnet_b3)', () => {
    // ReLU6 and SiLU are layer classes of their own (TorchReLU6, TorchSiLU), the others tfjs-layers' Activation
    const activations = (m: tfl.LayersModel) =>
      new Set(
        m.layers.flatMap((l) =>
          l.getClassName() === 'TorchReLU6'
            ? ['relu6']
            : l.getClassName() === 'TorchSiLU'
              ? ['swish']
              : l.getClassName() === 'Activation'
                ? [(l.getConfig() as { activation: string }).activation]
                : [],
        ),
      );
    expect(activations(resnet)).toEqual(new Set(['relu']));
    expect(activations(mobilenet)).toEqual(new Set(['relu6']));
    expect(activations(efficientnet)).toEqual(new Set(['swish', 'sigmoid']));
  });
});

describe('createModel', () => {
  test.each([
    ['cnn', { inputSize: 32 }],
    ['cnn', { inputSize: 32, variant: 'text' }],
    ['resnet18', { inputSize: 32, numClasses: 3 }],
    ['mobilenetv2', { inputSize: 32, channels: 1 }],
    ['efficientnet-b3', { inputSize: 32, numClasses: 5, channels: 1 }],
  ] as [ModelName, ModelOptions][])('%s %j outputs logits [N, numClasses] and leaks no tensor', (name, options) => {
    const before = tf.memory().numTensors;
    const model = createModel(name, options);
    const withWeights = tf.memory().numTensors;
    const x = tf.randomUniform([2, 32, 32, options.channels ?? 3], 0, 1, 'float32', 1);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, options.numClasses ?? 2]);
    // Logits, not probabilities: rows need not sum to 1 and may be negative.
    const sums = tf.sum(y, 1);
    expect(Array.from(sums.dataSync()).some((s) => Math.abs(s - 1) > 1e-3)).toBe(true);
    tf.dispose([x, y, sums]);
    expect(tf.memory().numTensors).toBe(withWeights);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('same seed, same weights; another seed, other weights', () => {
    const a = createCustomCnn({ inputSize: 16, seed: 3 });
    const b = createCustomCnn({ inputSize: 16, seed: 3 });
    const c = createCustomCnn({ inputSize: 16, seed: 4 });
    const first = (m: tfl.LayersModel) => Array.from(m.getLayer('fc1').getWeights()[0]!.dataSync());
    expect(first(a)).toEqual(first(b));
    expect(first(a)).not.toEqual(first(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  test('initial conv weights follow kaiming normal (fan_out) as torchvision initialises them', () => {
    const model = createResNet18({ inputSize: 32 });
    const w = model.getLayer('layer4.1.conv2').getWeights()[0]!.dataSync();
    let sum = 0;
    let sq = 0;
    for (const v of w) {
      sum += v;
      sq += v * v;
    }
    const std = Math.sqrt(sq / w.length - (sum / w.length) ** 2);
    expect(Math.abs(sum / w.length)).toBeLessThan(1e-3);
    expect(std).toBeCloseTo(Math.sqrt(2 / (512 * 9)), 3);
    model.dispose();
  });

  test('options are validated with the function name', () => {
    expect(() => createModel('resnet18', { numClasses: 0 })).toThrow('createResNet18: numClasses must be a positive integer, got 0');
    expect(() => createModel('mobilenetv2', { inputSize: 8 })).toThrow('createMobileNetV2: inputSize must be an integer >= 32, got 8');
    expect(() => createModel('efficientnet-b3', { channels: 2 as 1 })).toThrow('createEfficientNetB3: channels must be 1 or 3, got 2');
    expect(() => createModel('resnet18', { headDropout: 1 })).toThrow('createResNet18: headDropout must be in [0, 1), got 1');
    expect(() => createModel('resnet18', { variant: 'text' })).toThrow('createResNet18: variant applies to the custom CNN only');
    expect(() => createCustomCnn({ headDropout: 0.5 })).toThrow('createCustomCnn: the notebook variant has no dropout');
    expect(() => createModel('alexnet' as ModelName)).toThrow("createModel: unknown model 'alexnet'");
  });
});

describe('serialisation', () => {
  test('EfficientNet-B3 (dotted names, StochasticDepth) round-trips through saveModel / loadModel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fracture-models-'));
    const model = createEfficientNetB3({ inputSize: 32, seed: 5 });
    const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 3);
    try {
      await saveModel(model, dir);
      const reloaded = await loadModel(dir);
      expect(reloaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
      expect(reloaded.getLayer('features.7.1.stochastic_depth').getClassName()).toBe('StochasticDepth');
      const a = model.predict(x) as tf.Tensor;
      const b = reloaded.predict(x) as tf.Tensor;
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([a, b]);
      reloaded.dispose();
    } finally {
      x.dispose();
      model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
