import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createCustomCnn } from './custom-cnn';
import { getStateDict } from './get-state-dict';
import { loadStateDict } from './load-state-dict';
import { createMobileNetV2 } from './mobilenet-v2';
import { createResNet18 } from './resnet18';
import { readSafetensors } from './safetensors';
import type { StateDict, TensorData } from './state-dict-types';

function arange(shape: number[], scale = 1): TensorData {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', shape, data: Float32Array.from({ length: n }, (_, i) => i * scale) };
}

function without(sd: StateDict, ...keys: string[]): StateDict {
  return Object.fromEntries(Object.entries(sd).filter(([k]) => !keys.includes(k)));
}

describe('loadStateDict', () => {
  test('conv OIHW → HWIO: kernel[kh][kw][i][o] equals torch weight[o][i][kh][kw]', () => {
    const model = createCustomCnn({ inputSize: 16 });
    const sd = getStateDict(model);
    sd['conv2.weight'] = arange([16, 6, 3, 3]);
    const before = tf.memory().numTensors;
    loadStateDict(model, sd);
    expect(tf.memory().numTensors).toBe(before);
    const kernel = model.getLayer('conv2').getWeights()[0]!;
    expect(kernel.shape).toEqual([3, 3, 6, 16]);
    const k = kernel.arraySync() as number[][][][];
    // torch flat index of [o, i, kh, kw] = ((o * 6 + i) * 3 + kh) * 3 + kw
    expect(k[2]![1]![4]![9]).toBe(((9 * 6 + 4) * 3 + 2) * 3 + 1);
    expect(k[0]![2]![5]![0]).toBe(((0 * 6 + 5) * 3 + 0) * 3 + 2);
    model.dispose();
  });

  test('linear [out, in] → [in, out], and the CNN flatten follows torch\'s channel-first order', () => {
    const model = createCustomCnn({ inputSize: 16 });
    const sd = getStateDict(model);
    // 16 px → conv 14 → pool 7 → conv 5 → pool 2: fc1 sees 16 × 2 × 2 = 64 features in C, H, W order.
    expect(sd['fc1.weight']!.shape).toEqual([120, 64]);
    sd['fc1.weight'] = arange([120, 64]);
    loadStateDict(model, sd);
    const w = model.getLayer('fc1').getWeights()[0]!.arraySync() as number[][];
    expect(w[63]![119]).toBe(119 * 64 + 63);
    expect(w[5]![2]).toBe(2 * 64 + 5);
    model.dispose();
  });

  test('depthwise [C, 1, kh, kw] → [kh, kw, C, 1]', () => {
    const model = createMobileNetV2({ inputSize: 32 });
    const sd = getStateDict(model);
    sd['features.1.conv.0.0.weight'] = arange([32, 1, 3, 3]);
    loadStateDict(model, sd);
    const k = model.getLayer('features.1.conv.0.0').getWeights()[0]!;
    expect(k.shape).toEqual([3, 3, 32, 1]);
    const a = k.arraySync() as number[][][][];
    expect(a[1]![2]![7]![0]).toBe(7 * 9 + 1 * 3 + 2);
    model.dispose();
  });

  test('batch norm: weight, bias, running_mean, running_var → gamma, beta, moving mean, moving variance; num_batches_tracked ignored', () => {
    const model = createCustomCnn({ inputSize: 16, variant: 'text' });
    const sd = getStateDict(model);
    sd['features.1.weight'] = arange([32], 1);
    sd['features.1.bias'] = arange([32], 2);
    sd['features.1.running_mean'] = arange([32], 3);
    sd['features.1.running_var'] = arange([32], 4);
    sd['features.1.num_batches_tracked'] = { dtype: 'int64', shape: [], data: BigInt64Array.from([7n]) };
    const report = loadStateDict(model, sd);
    expect(report.unexpected).toEqual([]);
    const [gamma, beta, mean, variance] = model.getLayer('features.1').getWeights();
    expect(gamma!.dataSync()[5]).toBe(5);
    expect(beta!.dataSync()[5]).toBe(10);
    expect(mean!.dataSync()[5]).toBe(15);
    expect(variance!.dataSync()[5]).toBe(20);
    model.dispose();
  });

  test('getStateDict → loadStateDict into a differently seeded model reproduces its predictions', () => {
    const a = createCustomCnn({ inputSize: 16, variant: 'text', seed: 1 });
    const b = createCustomCnn({ inputSize: 16, variant: 'text', seed: 2 });
    const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 5);
    const ya = a.predict(x) as tf.Tensor;
    const yb0 = b.predict(x) as tf.Tensor;
    expect(Array.from(yb0.dataSync())).not.toEqual(Array.from(ya.dataSync()));
    const report = loadStateDict(b, getStateDict(a));
    expect(report.loaded).toHaveLength(Object.keys(getStateDict(a)).length);
    const yb = b.predict(x) as tf.Tensor;
    expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
    tf.dispose([x, ya, yb0, yb]);
    a.dispose();
    b.dispose();
  });

  describe('reports like torch load_state_dict', () => {
    const model = createCustomCnn({ inputSize: 16 });
    const good = getStateDict(model);
    afterAll(() => model.dispose());

    test('non-strict: a state dict of which nothing fits (another architecture) throws and writes nothing', () => {
      const other = createResNet18({ inputSize: 32 });
      const before = model.getWeights().map((w) => w.dataSync().slice());
      try {
        expect(() => loadStateDict(model, getStateDict(other), { strict: false })).toThrow(
          /^loadStateDict: none of the \d+ parameters of .* could be loaded from the state dict \(\d+ tensors\): is it a checkpoint of another architecture\? If it comes from timm/,
        );
      } finally {
        other.dispose();
      }
      model.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(before[i]!)));
    });

    test('non-strict: missing, unexpected and mismatched keys are reported, the rest is loaded', () => {
      const sd = without(good, 'conv1.bias');
      sd['extra.weight'] = arange([2]);
      sd['fc3.weight'] = arange([1000, 84]);
      const original = model.getLayer('fc3').getWeights()[0]!.dataSync().slice();
      const report = loadStateDict(model, sd, { strict: false });
      expect(report.missing).toEqual(['conv1.bias']);
      expect(report.unexpected).toEqual(['extra.weight']);
      expect(report.mismatched).toEqual([{ key: 'fc3.weight', expected: [2, 84], got: [1000, 84] }]);
      expect(report.loaded).not.toContain('fc3.weight');
      expect(Array.from(model.getLayer('fc3').getWeights()[0]!.dataSync())).toEqual(Array.from(original));
    });

    test('strict (the default) throws a PyTorch-style message and writes nothing', () => {
      const sd = without(good, 'conv1.bias');
      sd['conv2.weight'] = arange([16, 6, 3, 3], 0.5);
      sd['extra.weight'] = arange([2]);
      sd['fc3.weight'] = arange([1000, 84]);
      const original = Array.from(model.getLayer('conv2').getWeights()[0]!.dataSync());
      expect(() => loadStateDict(model, sd)).toThrow(
        [
          'loadStateDict: Error(s) in loading state_dict for cnn:',
          '\tMissing key(s) in state_dict: "conv1.bias".',
          '\tUnexpected key(s) in state_dict: "extra.weight".',
          '\tsize mismatch for fc3.weight: copying a param with shape [1000, 84] from checkpoint, the shape in current model is [2, 84].',
        ].join('\n'),
      );
      expect(Array.from(model.getLayer('conv2').getWeights()[0]!.dataSync())).toEqual(original);
    });

    test('rejects non-float tensors, inconsistent data and bad options', () => {
      expect(() => loadStateDict(model, { ...good, 'conv1.bias': { dtype: 'int32', shape: [6], data: new Int32Array(6) } })).toThrow(
        'loadStateDict: conv1.bias: expected a floating-point tensor, got int32',
      );
      expect(() => loadStateDict(model, { ...good, 'conv1.bias': { dtype: 'float32', shape: [6], data: new Float32Array(5) } })).toThrow(
        'loadStateDict: conv1.bias: shape [6] needs 6 values, got 5',
      );
      expect(() => loadStateDict(model, good, { source: 'keras' as 'timm' })).toThrow("loadStateDict: source must be 'torchvision' or 'timm'");
      expect(() => loadStateDict(model, good, { source: 'timm' })).toThrow('loadStateDict: timm names are defined for resnet18');
    });
  });

  test('a 1000-class torchvision ResNet18 checkpoint fills the study model except its Dropout+Linear head', () => {
    const imagenet = createResNet18({ inputSize: 32, numClasses: 1000, headDropout: 0 });
    const study = createResNet18({ inputSize: 32 });
    const sd = getStateDict(imagenet);
    expect(() => loadStateDict(study, sd)).toThrow('Missing key(s) in state_dict: "fc.1.weight", "fc.1.bias"');
    const before = tf.memory().numTensors;
    const report = loadStateDict(study, sd, { strict: false });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.missing).toEqual(['fc.1.weight', 'fc.1.bias']);
    expect(report.unexpected).toEqual(['fc.weight', 'fc.bias']);
    expect(report.mismatched).toEqual([]);
    expect(report.loaded).toHaveLength(100);
    imagenet.dispose();
    study.dispose();
  });

  test('a 1000-class MobileNetV2 checkpoint: only the classifier is a size mismatch', () => {
    const imagenet = createMobileNetV2({ inputSize: 32, numClasses: 1000 });
    const study = createMobileNetV2({ inputSize: 32 });
    const report = loadStateDict(study, getStateDict(imagenet), { strict: false });
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.mismatched).toEqual([
      { key: 'classifier.1.weight', expected: [2, 1280], got: [1000, 1280] },
      { key: 'classifier.1.bias', expected: [2], got: [1000] },
    ]);
    const a = imagenet.getLayer('features.18.0').getWeights()[0]!.dataSync();
    const b = study.getLayer('features.18.0').getWeights()[0]!.dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    imagenet.dispose();
    study.dispose();
  });

  test('an RGB stem loads into a 1-channel model summed over RGB; a gray image then gives the RGB model\'s output', () => {
    const rgb = createCustomCnn({ inputSize: 16, seed: 1 });
    const gray = createCustomCnn({ inputSize: 16, channels: 1, seed: 2 });
    const report = loadStateDict(gray, getStateDict(rgb));
    expect(report.loaded).toContain('conv1.weight');
    const kernelRgb = rgb.getLayer('conv1').getWeights()[0]!.arraySync() as number[][][][];
    const kernelGray = gray.getLayer('conv1').getWeights()[0]!.arraySync() as number[][][][];
    expect(kernelGray[1]![2]![0]![4]).toBeCloseTo(kernelRgb[1]![2]!.reduce((s, byOut) => s + byOut[4]!, 0), 6);
    const g = tf.randomUniform([1, 16, 16, 1], 0, 1, 'float32', 9);
    const replicated = tf.tile(g, [1, 1, 1, 3]);
    const yGray = gray.predict(g) as tf.Tensor;
    const yRgb = rgb.predict(replicated) as tf.Tensor;
    const diff = tf.max(tf.abs(tf.sub(yGray, yRgb)));
    expect(diff.dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([g, replicated, yGray, yRgb, diff]);
    rgb.dispose();
    gray.dispose();
  });

  const shared = path.resolve(__dirname, '../../../../shared/weights/mobilenet_v2-imagenet-features.safetensors');
  (fs.existsSync(shared) ? test : test.skip)('the shared ImageNet MobileNetV2 features load with only the head missing (skipped without ../shared)', () => {
    const model = createMobileNetV2();
    const report = loadStateDict(model, readSafetensors(fs.readFileSync(shared)), { strict: false });
    expect(report.missing).toEqual(['classifier.1.weight', 'classifier.1.bias']);
    expect(report.unexpected).toEqual([]);
    expect(report.mismatched).toEqual([]);
    expect(report.loaded).toHaveLength(260);
    model.dispose();
  });
});
