import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileSystemIO } from './file-io-handler';
import { loadModel } from './load-model';
import { saveModel } from './save-model';
import { StochasticDepth } from './stochastic-depth';

/** conv + batch norm + dense, with every weight (incl. BN moving stats) set from a fixed seed. */
function buildModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 3], name: 'image' });
  let x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.batchNormalization({ name: 'bn' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({ units: 2, name: 'head' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output, name: 'tiny' });
  tf.tidy(() => {
    // moving variance must stay positive: take |N(0,1)| + 0.5 for every weight
    model.setWeights(model.weights.map((w, i) => tf.add(tf.abs(tf.randomNormal(w.shape as number[], 0, 1, 'float32', 100 + i)), 0.5)));
  });
  return model;
}

describe('saveModel / loadModel', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fracture-save-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('round-trips a conv + BN + dense model: same weights, same predictions, no leaks', async () => {
    const model = buildModel();
    const x = tf.randomUniform([2, 6, 6, 3], 0, 1, 'float32', 7);
    const before = model.predict(x) as tf.Tensor;
    const tensorsBefore = tf.memory().numTensors;

    const result = await saveModel(model, join(dir, 'nested', 'tiny'), { metadata: { modelName: 'tiny', epoch: 3 } });
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(model.countParams() * 4);
    const loaded = await loadModel(join(dir, 'nested', 'tiny'));
    const after = loaded.predict(x) as tf.Tensor;

    expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
    expect(loaded.weights.map((w) => w.originalName)).toEqual(model.weights.map((w) => w.originalName));
    const savedValues = model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(loaded.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(savedValues);
    expect(loaded.getUserDefinedMetadata()).toEqual({ modelName: 'tiny', epoch: 3 });

    after.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    before.dispose();
    x.dispose();
    model.dispose();
  });

  test('writes the files tfjs expects, with weights encoded as tf.io.encodeWeights does', async () => {
    const model = buildModel();
    await model.save(fileSystemIO(dir));
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']); // no temp files left
    const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers/);
    expect(modelJson.modelTopology.config.name).toBe('tiny');
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    const named = model.weights.map((w) => ({ name: w.originalName, tensor: w.read() }));
    const reference = await tf.io.encodeWeights(named);
    expect(modelJson.weightsManifest[0].weights).toEqual(reference.specs);
    expect(new Uint8Array(readFileSync(join(dir, 'weights.bin')))).toEqual(new Uint8Array(reference.data as ArrayBuffer));
    model.dispose();
  });

  test('works as a plain tfjs IO handler with tf.loadLayersModel and reads multi-shard manifests', async () => {
    const model = buildModel();
    await model.save(fileSystemIO(dir));
    // split weights.bin into two shards, as the tfjs converter does for large models
    const weights = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'group1-shard1of2.bin'), weights.subarray(0, 100));
    writeFileSync(join(dir, 'group1-shard2of2.bin'), weights.subarray(100));
    unlinkSync(join(dir, 'weights.bin'));
    const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    modelJson.weightsManifest[0].paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));

    const loaded = await tfl.loadLayersModel(fileSystemIO(dir));
    expect(loaded.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(model.getWeights().map((w) => Array.from(w.dataSync())));
    loaded.dispose();
    model.dispose();
  });

  test('round-trips the custom StochasticDepth layer with its config', async () => {
    const input = tfl.input({ shape: [3] });
    const branch = tfl.layers.dense({ units: 3, name: 'branch' }).apply(input) as tfl.SymbolicTensor;
    const dropped = new StochasticDepth({ rate: 0.2, seed: 5, name: 'drop' }).apply(branch) as tfl.SymbolicTensor;
    const output = tfl.layers.add({}).apply([input, dropped]) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    const layer = loaded.getLayer('drop');
    expect(layer).toBeInstanceOf(StochasticDepth);
    expect(layer.getConfig()).toMatchObject({ rate: 0.2, seed: 5 });
    const x = tf.tensor2d([[1, -2, 3]]);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    loaded.dispose();
    model.dispose();
  });

  test('fails with errors that name the file', async () => {
    const model = buildModel();
    await saveModel(model, dir);
    model.dispose();
    const modelJsonPath = join(dir, 'model.json');
    const weightsPath = join(dir, 'weights.bin');

    truncateSync(weightsPath, 10);
    await expect(loadModel(dir)).rejects.toThrow(`fileSystemIO: ${weightsPath}: model.json lists ${(3 * 3 * 3 * 4 + 4 + 4 * 4 + 4 * 2 + 2) * 4} bytes of weights but the file holds 10`);
    unlinkSync(weightsPath);
    await expect(loadModel(dir)).rejects.toThrow(`fileSystemIO: ${weightsPath}: weights file not found (listed in model.json)`);

    const text = readFileSync(modelJsonPath, 'utf8');
    writeFileSync(modelJsonPath, text.slice(0, 50));
    await expect(loadModel(dir)).rejects.toThrow(new RegExp(`^fileSystemIO: ${modelJsonPath.replace(/[.]/g, '\\.')}: not valid JSON`));
    writeFileSync(modelJsonPath, JSON.stringify({ format: 'layers-model' }));
    await expect(loadModel(dir)).rejects.toThrow(`fileSystemIO: ${modelJsonPath}: missing modelTopology`);
    const escaping = JSON.parse(text);
    escaping.weightsManifest[0].paths = ['../../etc/passwd'];
    writeFileSync(modelJsonPath, JSON.stringify(escaping));
    await expect(loadModel(dir)).rejects.toThrow("weights path '../../etc/passwd' points outside");
    unlinkSync(modelJsonPath);
    await expect(loadModel(dir)).rejects.toThrow(`fileSystemIO: ${modelJsonPath}: model.json not found`);
  });

  test('validates arguments and reports unwritable folders', async () => {
    await expect(loadModel('')).rejects.toThrow('loadModel: expected a directory path, got ""');
    await expect(saveModel({} as tfl.LayersModel, dir)).rejects.toThrow('saveModel: expected a tf.LayersModel');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const model = buildModel();
    await expect(saveModel(model, join(file, 'sub'))).rejects.toThrow(`fileSystemIO: ${join(file, 'sub')}: cannot create the directory`);
    model.dispose();
  });
});
