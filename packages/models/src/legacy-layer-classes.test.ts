import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { withStockLayerClasses } from '../test/stock-layer-topology';
import { getStateDict } from './get-state-dict';
import { loadModel } from './load-model';
import { loadStateDict } from './load-state-dict';
import { createMobileNetV2 } from './mobilenet-v2';
import { saveModel } from './save-model';
import type { StateDict } from './state-dict-types';

// MobileNetV2 has all three of this package's layer classes: StemConv2D (features.0.0),
// TorchBatchNorm (features.0.1) and TorchReLU6 (features.0.2). Models saved before they existed
// name tfjs-layers' Conv2D, BatchNormalization and Activation('relu6') instead.
describe('saved models and the layer classes', () => {
  let dir: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = mkdtempSync(join(tmpdir(), 'fracture-layer-classes-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const classesOfStem = (model: { getLayer(name: string): { getClassName(): string } }) =>
    ['features.0.0', 'features.0.1', 'features.0.2'].map((name) => model.getLayer(name).getClassName());

  test('a model with the new classes round-trips, and one saved with the stock classes still loads, predicts and maps to torch names', async () => {
    const model = createMobileNetV2({ inputSize: 32, seed: 6 });
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 8);
    const expected = model.predict(x) as tf.Tensor;
    const before = tf.memory().numTensors;

    const current = join(dir, 'current');
    await saveModel(model, current);
    const legacy = join(dir, 'legacy');
    mkdirSync(legacy);
    const modelJson = JSON.parse(readFileSync(join(current, 'model.json'), 'utf8')) as { modelTopology: unknown };
    const legacyJson = { ...modelJson, modelTopology: withStockLayerClasses(modelJson.modelTopology) };
    expect(JSON.stringify(legacyJson)).not.toMatch(/TorchBatchNorm|TorchReLU6|StemConv2D/);
    writeFileSync(join(legacy, 'model.json'), JSON.stringify(legacyJson));
    copyFileSync(join(current, 'weights.bin'), join(legacy, 'weights.bin'));

    const reloaded = await loadModel(current);
    const old = await loadModel(legacy);
    expect(classesOfStem(reloaded)).toEqual(['StemConv2D', 'TorchBatchNorm', 'TorchReLU6']);
    expect(classesOfStem(old)).toEqual(['Conv2D', 'BatchNormalization', 'Activation']);
    for (const loaded of [reloaded, old]) {
      tf.tidy(() => expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(expected.dataSync())));
    }

    // the state-dict mapping sees the same torch keys, layouts and values in both
    const stateDict = getStateDict(model);
    expect(getStateDict(old)).toEqual(stateDict);
    expect(getStateDict(reloaded)).toEqual(stateDict);
    const withCounters: StateDict = {
      ...stateDict,
      'features.0.1.num_batches_tracked': { dtype: 'int64', shape: [], data: new BigInt64Array([3n]) },
    };
    for (const loaded of [reloaded, old]) {
      const result = loadStateDict(loaded, withCounters);
      expect(result.missing).toEqual([]);
      expect(result.unexpected).toEqual([]);
      expect(result.loaded).toHaveLength(Object.keys(stateDict).length);
    }

    reloaded.dispose();
    old.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, expected]);
    model.dispose();
  });
});
