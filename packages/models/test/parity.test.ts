// PyTorch parity: torchvision models with seeded random weights (scripts/make-parity-fixtures.py)
// loaded into our models must give the same logits and pre-head features within 1e-4.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as fs from 'node:fs';
import { createModel, getModelSpec, loadStateDict, readSafetensors, readTorchCheckpoint } from '../src/index';
import type { ModelName, ModelOptions } from '../src/index';
import { maxAbsDiff, type ModelOutputs, type ParityFixtures, parityFixtures, PYTHON, runWithFeatures as run, torchAvailable } from './parity-fixtures';

const TOLERANCE = 1e-4;

const describeWithTorch = torchAvailable() ? describe : describe.skip;
if (!torchAvailable()) {
  console.warn(`parity tests skipped: ${PYTHON} cannot import torch and torchvision (Debian: apt install python3-torch python3-torchvision)`);
}

function expectMatches(fx: ParityFixtures, caseName: string, out: ModelOutputs): void {
  const logits = fx.floats(`${caseName}-logits.bin`);
  const features = fx.floats(`${caseName}-features.bin`);
  // The reference must depend on the input, or matching it proves little.
  const half = features.length / 2;
  expect(maxAbsDiff(features.subarray(0, half), features.subarray(half))).toBeGreaterThan(1e-2);
  expect(maxAbsDiff(out.features, features)).toBeLessThan(TOLERANCE);
  expect(maxAbsDiff(out.logits, logits)).toBeLessThan(TOLERANCE);
}

const CASES: { caseName: string; model: ModelName; options: ModelOptions; featureLayer: string; timm: boolean }[] = [
  { caseName: 'cnn', model: 'cnn', options: { inputSize: 64 }, featureLayer: 'fc2_relu', timm: false },
  { caseName: 'cnn-text', model: 'cnn', options: { inputSize: 64, variant: 'text' }, featureLayer: 'classifier.2', timm: false },
  { caseName: 'resnet18', model: 'resnet18', options: { inputSize: 64 }, featureLayer: 'avgpool', timm: true },
  { caseName: 'mobilenetv2', model: 'mobilenetv2', options: { inputSize: 64 }, featureLayer: 'avgpool', timm: true },
  { caseName: 'efficientnet-b3', model: 'efficientnet-b3', options: { inputSize: 32 }, featureLayer: 'avgpool', timm: true },
];

describeWithTorch('parity with torchvision (eval mode, seeded random weights)', () => {
  let fx: ParityFixtures;
  beforeAll(async () => {
    fx = (await parityFixtures())!;
  }, 600_000);

  describe.each(CASES)('$caseName', ({ caseName, model: name, options, featureLayer, timm }) => {
    let model: tfl.LayersModel;
    let input: Float32Array;
    beforeAll(() => {
      model = createModel(name, options);
      input = fx.floats(`${caseName}-input.bin`);
    });
    afterAll(() => model.dispose());

    test('the spec names the pre-head layer the reference captured', () => {
      if (!options.variant) expect(getModelSpec(name).featureLayer).toBe(featureLayer);
      expect(fx.meta[caseName]!.parameters).toBeGreaterThan(0);
    });

    test('safetensors state dict: logits and features match PyTorch within 1e-4', () => {
      const sd = readSafetensors(fs.readFileSync(fx.file(`${caseName}.safetensors`)));
      const before = tf.memory().numTensors;
      const report = loadStateDict(model, sd, { strict: true });
      expect(tf.memory().numTensors).toBe(before);
      expect(report.missing).toEqual([]);
      expect(report.unexpected).toEqual([]);
      expect(report.mismatched).toEqual([]);
      const out = run(model, featureLayer, input, fx.meta[caseName]!.inputShape);
      expect(tf.memory().numTensors).toBe(before);
      expectMatches(fx, caseName, out);
    });

    test('.pth checkpoint (torch.save zip): same logits', () => {
      const sd = readTorchCheckpoint(fs.readFileSync(fx.file(`${caseName}.pth`)));
      loadStateDict(model, sd, { strict: true });
      expectMatches(fx, caseName, run(model, featureLayer, input, fx.meta[caseName]!.inputShape));
    });

    // timm has no custom CNN, so only the three torchvision architectures get this test.
    if (timm) {
      test('timm-named state dict loads with source: timm and gives the same logits', () => {
        expect(fx.meta[caseName]!.timm).toBe(true);
        const sd = readSafetensors(fs.readFileSync(fx.file(`${caseName}-timm.safetensors`)));
        const report = loadStateDict(model, sd, { source: 'timm', strict: true });
        expect(report.loaded.length).toBe(Object.keys(sd).filter((k) => !k.endsWith('num_batches_tracked')).length);
        expectMatches(fx, caseName, run(model, featureLayer, input, fx.meta[caseName]!.inputShape));
      });
    }
  });
});
