import '@tensorflow/tfjs-backend-cpu';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decodeImageAsync } from '@fracture/preprocess';
import { loadPretrainedModel } from './load-pretrained-model';
import { loadPretrainedModel as loadInstalled, pretrainedModelDir } from './node';
import { getModelCard, PRETRAINED_MODEL_NAMES } from './registry';

const NAME = PRETRAINED_MODEL_NAMES[0];
const FRACATLAS = path.resolve(__dirname, '../../../../shared/data/fracatlas');
const SUBSET = path.resolve(__dirname, '../test/subset-predictions.json');
const haveData = existsSync(path.join(FRACATLAS, 'images'));
if (!haveData) console.warn(`skipping the subset check on real radiographs: ${FRACATLAS} is absent`);

function files(name: string) {
  const dir = pretrainedModelDir(name);
  return { modelJson: readFileSync(path.join(dir, 'model.json')), weights: readFileSync(path.join(dir, 'weights.bin')) };
}

describe('loadPretrainedModel', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  test('the installed folder holds the files the card describes', () => {
    const dir = pretrainedModelDir(NAME);
    for (const file of ['model.json', 'weights.bin', 'fracture-model.json', 'card.json']) expect(existsSync(path.join(dir, file))).toBe(true);
    expect(readFileSync(path.join(dir, 'weights.bin')).length).toBe(getModelCard(NAME).weights.bytes);
    expect(() => pretrainedModelDir('nope')).toThrow('getModelCard: no shipped model named "nope"');
  });

  (haveData ? test : test.skip)("from bytes: a fixed subset of the test split gets the recipe's probabilities", async () => {
    const expected = JSON.parse(readFileSync(SUBSET, 'utf8')) as { model: string; images: { path: string; label: string; probability: number }[] };
    expect(expected.model).toBe(NAME);
    const before = tf.memory().numTensors;
    const model = await loadPretrainedModel(NAME, files(NAME));
    // The training loader's decoder (libjpeg-turbo): another JPEG decoder's rounding moves these probabilities by
    // up to a few hundredths, which is why the README decodes with decodeImageAsync too.
    const images = await Promise.all(expected.images.map((entry) => decodeImageAsync(readFileSync(path.join(FRACATLAS, entry.path)), { path: entry.path })));
    const predictions = model.predict(images);
    predictions.forEach((p, i) => {
      // The recipe predicted through the training loader; this path decodes and resizes the same way.
      expect(Math.abs(p.probability - expected.images[i].probability)).toBeLessThan(1e-4);
      expect(p.fractured).toBe(p.probability >= model.card.threshold.value);
      expect(p.probabilities.fractured + p.probabilities['not fractured']).toBeCloseTo(1, 5);
    });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('from a URL, through the fetch it is given; a failed download names the file', async () => {
    const dir = pretrainedModelDir(NAME);
    const served: string[] = [];
    const fetchFromDisk = async (url: string) => {
      served.push(url);
      const file = path.join(dir, url.replace('https://cdn.example/models/x/', ''));
      return existsSync(file)
        ? { ok: true, status: 200, arrayBuffer: async () => new Uint8Array(readFileSync(file)).buffer }
        : { ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) };
    };
    const before = tf.memory().numTensors;
    const model = await loadPretrainedModel(NAME, { baseUrl: 'https://cdn.example/models/x', fetch: fetchFromDisk });
    expect(served.sort()).toEqual(['https://cdn.example/models/x/model.json', 'https://cdn.example/models/x/weights.bin']);
    expect(model.model.outputs[0].shape).toEqual([null, 2]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(loadPretrainedModel(NAME, { baseUrl: 'https://cdn.example/elsewhere/', fetch: fetchFromDisk })).rejects.toThrow(
      'loadPretrainedModel: https://cdn.example/elsewhere/model.json: HTTP 404',
    );
  });

  test('files that do not belong together, or are not JSON, are refused with the reason', async () => {
    const { modelJson, weights } = files(NAME);
    await expect(loadPretrainedModel(NAME, { modelJson, weights: weights.subarray(0, weights.length - 2) })).rejects.toThrow(
      `loadPretrainedModel: ${NAME}: weights.bin has ${weights.length - 2} bytes, model.json describes ${weights.length}`,
    );
    await expect(loadPretrainedModel(NAME, { modelJson: 'not json', weights })).rejects.toThrow('loadPretrainedModel: model.json is not JSON');
    await expect(loadPretrainedModel(NAME, { modelJson: {}, weights })).rejects.toThrow('model.json has no modelTopology and weightsManifest');
    await expect(loadPretrainedModel('nope', { modelJson, weights })).rejects.toThrow('no shipped model named "nope"');
  });

  test('@fracture/pretrained/node loads the installed files without arguments', async () => {
    const before = tf.memory().numTensors;
    const model = await loadInstalled(NAME);
    const gray = { data: new Uint8Array(300 * 200).fill(90), width: 300, height: 200, channels: 1 as const, bitDepth: 8 as const };
    const [p] = model.predict([gray]);
    expect(p.probability).toBeGreaterThanOrEqual(0);
    expect(p.probability).toBeLessThanOrEqual(1);
    expect(model.predict([])).toEqual([]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
