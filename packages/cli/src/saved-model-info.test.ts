import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createModel, saveModel } from '@fracture/models';
import { encodePng, generateSyntheticRadiographs } from '@fracture/preprocess';
import { createPredictor } from './predictor';
import { readTrainedModelInfo } from './trained-model';
import { runCli, tempDir, useWasm } from './testing/fixtures';

// ImageNet statistics, which every registry model's default preparation uses; averaged for one channel.
const GRAY_MEAN = (0.485 + 0.456 + 0.406) / 3;
const GRAY_STD = (0.229 + 0.224 + 0.225) / 3;

describe('a bare saveModel folder', () => {
  let work: string;
  let modelDir: string;
  let imageFile: string;
  let expected: number[];

  beforeAll(async () => {
    await useWasm();
    work = await tempDir('saved-model');
    modelDir = path.join(work, 'cnn');
    const model = createModel('cnn', { inputSize: 32, channels: 1, seed: 4 });
    await saveModel(model, modelDir);
    // A gray image already at the input size, so the reference needs no resize: (pixel / 255 - mean) / std.
    const [sample] = generateSyntheticRadiographs({ count: 1, size: 32, seed: 2 });
    const image = sample!.image;
    imageFile = path.join(work, 'x.png');
    await fs.writeFile(imageFile, encodePng(image));
    const gray = Float32Array.from({ length: 32 * 32 }, (_, i) => image.data[i * image.channels]! / 255);
    expected = tf.tidy(() => {
      const x = tf.div(tf.sub(tf.tensor4d(gray, [1, 32, 32, 1]), GRAY_MEAN), GRAY_STD);
      return Array.from(tf.softmax(model.predict(x) as tf.Tensor2D).dataSync());
    });
    model.dispose();
  });

  afterAll(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  test('is read as the registry model it holds, with that model\'s default preparation', async () => {
    const info = await readTrainedModelInfo(modelDir);
    expect(info).toMatchObject({ modelName: 'cnn', inputSize: 32, channels: 1, classNames: ['fractured', 'not fractured'], positiveClass: 'fractured' });
    expect(info.mean[0]).toBeCloseTo(GRAY_MEAN, 12);
    expect(info.std[0]).toBeCloseTo(GRAY_STD, 12);
  });

  test('createPredictor predicts what the model computes on the prepared image', async () => {
    const before = tf.memory().numTensors;
    const predictor = await createPredictor(modelDir);
    try {
      const prediction = await predictor.predictBytes(await fs.readFile(imageFile), imageFile);
      expect(prediction.probabilities.fractured).toBeCloseTo(expected[0]!, 5);
      expect(prediction.probabilities['not fractured']).toBeCloseTo(expected[1]!, 5);
    } finally {
      predictor.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test('fracture predict accepts it', async () => {
    const result = await runCli(['--json', 'predict', imageFile, '--model-dir', modelDir]);
    expect(result.stderr).not.toContain('Error');
    expect(result.exitCode).toBe(0);
    const [entry] = JSON.parse(result.stdout) as { probabilities: Record<string, number> }[];
    expect(entry!.probabilities.fractured).toBeCloseTo(expected[0]!, 5);
  });

  test('a model the registry does not know is refused with what to add', async () => {
    const input = tfl.input({ shape: [8, 8, 1] });
    const foreign = tfl.model({ name: 'mine', inputs: input, outputs: tfl.layers.dense({ units: 2 }).apply(input) as tfl.SymbolicTensor });
    const dir = path.join(work, 'mine');
    await saveModel(foreign, dir);
    foreign.dispose();
    await expect(readTrainedModelInfo(dir)).rejects.toThrow("readTrainedModelInfo: " + path.join(dir, 'model.json') + " holds a model named 'mine'");
    await expect(readTrainedModelInfo(work)).rejects.toThrow('readTrainedModelInfo: neither');
  });
});
