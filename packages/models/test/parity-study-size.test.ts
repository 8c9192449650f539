// PyTorch parity at the study input size and for grayscale input (see parity.test.ts for the fixtures).
import '@tensorflow/tfjs-backend-cpu';
import * as fs from 'node:fs';
import { createModel, loadStateDict, readSafetensors } from '../src/index';
import type { StateDict } from '../src/index';
import { maxAbsDiff, type ParityFixtures, parityFixtures, PYTHON, runWithFeatures as run, torchAvailable } from './parity-fixtures';

const TOLERANCE = 1e-4;
const describeWithTorch = torchAvailable() ? describe : describe.skip;
if (!torchAvailable()) {
  console.warn(`parity tests skipped: ${PYTHON} cannot import torch and torchvision (Debian: apt install python3-torch python3-torchvision)`);
}

describeWithTorch('parity with torchvision: study size and grayscale', () => {
  let fx: ParityFixtures;
  beforeAll(async () => {
    fx = (await parityFixtures())!;
  }, 600_000);

  test('MobileNetV2 at the study size (224 px) matches PyTorch', () => {
    const model = createModel('mobilenetv2');
    loadStateDict(model, readSafetensors(fs.readFileSync(fx.file('mobilenetv2-224.safetensors'))));
    const out = run(model, 'avgpool', fx.floats('mobilenetv2-224-input.bin'), fx.meta['mobilenetv2-224']!.inputShape);
    expect(maxAbsDiff(out.features, fx.floats('mobilenetv2-224-features.bin'))).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(out.logits, fx.floats('mobilenetv2-224-logits.bin'))).toBeLessThan(TOLERANCE);
    model.dispose();
  });

  test('an RGB checkpoint in a 1-channel ResNet18 equals PyTorch with conv1 summed over RGB', () => {
    const model = createModel('resnet18', { inputSize: 64, channels: 1 });
    const sd: StateDict = readSafetensors(fs.readFileSync(fx.file('resnet18.safetensors')));
    const report = loadStateDict(model, sd);
    expect(report.loaded).toContain('conv1.weight');
    const out = run(model, 'avgpool', fx.floats('resnet18-gray-input.bin'), fx.meta['resnet18-gray']!.inputShape);
    expect(maxAbsDiff(out.logits, fx.floats('resnet18-gray-logits.bin'))).toBeLessThan(TOLERANCE);
    model.dispose();
  });
});
