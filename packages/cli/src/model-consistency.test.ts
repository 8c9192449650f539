import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '@fracture/models';
import { checkTrainedModel } from './model-consistency';
import { predictorFor } from './predictor';
import { loadTrainedModel } from './trained-model';
import type { TrainedModelInfo } from './trained-model';
import { tempDir, useWasm } from './testing/fixtures';
import { tinyModelDir } from './testing/tiny-model-dir';

jest.setTimeout(120_000);

describe('a model folder that disagrees with itself is caught at load', () => {
  let work: string;
  let modelDir: string;
  let info: TrainedModelInfo;

  beforeAll(async () => {
    await useWasm();
    work = await tempDir('consistency');
    modelDir = await tinyModelDir(path.join(work, 'model'));
    info = JSON.parse(await fs.readFile(path.join(modelDir, 'fracture-model.json'), 'utf8'));
  });
  afterAll(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  const withInfo = async (name: string, change: Partial<TrainedModelInfo>) => {
    const dir = path.join(work, name);
    await fs.cp(modelDir, dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'fracture-model.json'), JSON.stringify({ ...info, ...change }));
    return dir;
  };

  test('a consistent folder loads', async () => {
    const { model } = await loadTrainedModel(modelDir);
    model.dispose();
  });

  test('input size, channels and class count that differ from model.json are refused, naming both files', async () => {
    const before = tf.memory().numTensors;
    const size = await withInfo('size', { inputSize: 224 });
    await expect(loadTrainedModel(size)).rejects.toThrow(
      `loadTrainedModel: ${path.join(size, 'fracture-model.json')} does not match ${path.join(size, 'model.json')}: it says inputSize 224 and channels 1, but the model's input is [null,32,32,1]`,
    );
    const rgb = await withInfo('rgb', { channels: 3, mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2] });
    await expect(loadTrainedModel(rgb)).rejects.toThrow("it says inputSize 32 and channels 3, but the model's input is [null,32,32,1]");
    const classes = await withInfo('classes', { classNames: ['fractured', 'not fractured', 'unsure'] });
    await expect(loadTrainedModel(classes)).rejects.toThrow('it says 3 classes (fractured, not fractured, unsure), but the model has 2 outputs');
    const positive = await withInfo('positive', { positiveClass: 'broken' });
    await expect(loadTrainedModel(positive)).rejects.toThrow("positive class 'broken', which is not one of its classes");
    // The refused models are disposed.
    expect(tf.memory().numTensors).toBe(before);
  });

  test('checkTrainedModel names a weight holding NaN and leaks nothing', () => {
    const model = createModel('cnn', { inputSize: 32, channels: 1, seed: 1 });
    const target = model.weights[model.weights.length - 1];
    tf.tidy(() => {
      target.write(tf.fill(target.shape as number[], NaN));
    });
    const before = tf.memory().numTensors;
    expect(() => checkTrainedModel(model, info, '/m', 'loadTrainedModel')).toThrow(
      new RegExp(`^loadTrainedModel: /m/model\\.json: weight '${target.originalName}' holds \\d+ NaN or infinite value\\(s\\)`),
    );
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  test('a NaN output is an error, never "fractured"', () => {
    const model = createModel('cnn', { inputSize: 32, channels: 1, seed: 1 });
    tf.tidy(() => model.setWeights(model.weights.map((w) => tf.fill(w.shape as number[], NaN))));
    const predictor = predictorFor(model, info);
    const image = { data: new Uint8Array(32 * 32).fill(100), width: 32, height: 32, channels: 1 as const, bitDepth: 8 as const };
    const before = tf.memory().numTensors;
    expect(() => predictor.predictImages([image])).toThrow(/^predictImages: the model's output for image 1 of 1 is NaN or infinite \(cnn\)/);
    expect(tf.memory().numTensors).toBe(before);
    predictor.dispose();
  });
});
