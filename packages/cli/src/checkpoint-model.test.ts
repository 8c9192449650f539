import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { exportCheckpointModel } from './checkpoint-model';
import { readTrainedModelInfo } from './trained-model';
import { runCli, syntheticDataset, tempDir, useWasm } from './testing/fixtures';

jest.setTimeout(120_000);

describe('exportCheckpointModel', () => {
  let work: string;
  let runDir: string;

  beforeAll(async () => {
    await useWasm();
    work = await tempDir('checkpoint-model');
    const data = await syntheticDataset(path.join(work, 'data'), 80, 32);
    runDir = path.join(work, 'run');
    const trained = await runCli(['train', '--data', data, '--model', 'cnn', '--epochs', '1', '--backend', 'wasm', '--out', runDir]);
    expect(trained.exitCode).toBe(0);
  });

  afterAll(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  test("writes the last checkpoint as a model folder with the run's preparation, and leaks no tensors", async () => {
    const before = tf.memory().numTensors;
    const exported = await exportCheckpointModel(runDir, path.join(work, 'exported'));
    expect(tf.memory().numTensors).toBe(before);
    const trainedInfo = await readTrainedModelInfo(path.join(runDir, 'model'));
    const info = await readTrainedModelInfo(exported.modelDir);
    for (const key of ['modelName', 'inputSize', 'channels', 'mean', 'std', 'classNames', 'positiveClass', 'gradCamLayer'] as const) {
      expect(info[key]).toEqual(trainedInfo[key]);
    }
    expect(exported.history).toHaveLength(1);
    expect(exported.step).toBeGreaterThan(0);
    expect(info.training).toMatchObject({ partial: true, epochs: 1, step: exported.step, modelName: 'cnn' });
    // Named from the exported folder, so a committed export holds no absolute path, and it still leads to the checkpoint.
    const checkpoint = String(info.training?.checkpoint);
    expect(path.isAbsolute(checkpoint)).toBe(false);
    expect(path.resolve(exported.modelDir, checkpoint)).toBe(path.resolve(runDir, 'checkpoints', 'last'));
  });

  test('names the function and the file when the folder is not a training run', async () => {
    const empty = path.join(work, 'not-a-run');
    await fs.mkdir(empty, { recursive: true });
    await expect(exportCheckpointModel(empty, path.join(work, 'x'))).rejects.toThrow(/^exportCheckpointModel: .*run-settings\.json: cannot be read/);
    await fs.writeFile(path.join(empty, 'run-settings.json'), JSON.stringify({ modelName: 'vgg16', inputSize: 32, channels: 3 }));
    await expect(exportCheckpointModel(empty, path.join(work, 'x'))).rejects.toThrow(/exportCheckpointModel: .*unknown modelName "vgg16"/);
    await fs.writeFile(path.join(empty, 'run-settings.json'), JSON.stringify({ modelName: 'cnn', inputSize: 32, channels: 3 }));
    await expect(exportCheckpointModel(empty, path.join(work, 'x'))).rejects.toThrow(/checkpoints/);
  });
});
