import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { registerLayerClasses } from '@fracture/models';
import { normalize, toModelInput } from '@fracture/preprocess';
import type { DecodedImage } from '@fracture/preprocess';
import { getModelCard } from './registry';
import type { PretrainedModel, PretrainedModelBytes, PretrainedModelCard, PretrainedModelSource, PretrainedPrediction } from './types';

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Loads a shipped model by name from its files: pass the bytes (`{ modelJson, weights }`, e.g. fetched by the
 * app or imported by a bundler), or `{ baseUrl }` of a folder serving `model.json` and `weights.bin` (in a
 * browser, copy `node_modules/@fracture/pretrained/models/<name>/` to your static files). Uses no Node API;
 * in Node, `@fracture/pretrained/node` loads from the installed package without arguments. Register a tfjs
 * backend first. The caller frees the weights with `dispose()`.
 */
export async function loadPretrainedModel(name: string, source: PretrainedModelSource): Promise<PretrainedModel> {
  const fn = 'loadPretrainedModel';
  const card = getModelCard(name);
  if (!source || typeof source !== 'object') throw new Error(`${fn}: expected the model's bytes ({ modelJson, weights }) or { baseUrl }`);
  const bytes = 'baseUrl' in source ? await fetchFiles(fn, source) : source;
  const json = parseModelJson(fn, bytes.modelJson);
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const weightData = toArrayBuffer(bytes.weights);
  const expected = weightSpecs.reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1) * bytesPerValue(spec), 0);
  if (weightData.byteLength !== expected) {
    throw new Error(`${fn}: ${name}: weights.bin has ${weightData.byteLength} bytes, model.json describes ${expected}; the files do not belong together`);
  }
  registerLayerClasses();
  const model = await loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
  return pretrainedModelFor(card, model);
}

/** Wraps a loaded model with its card's preparation and operating point. */
export function pretrainedModelFor(card: PretrainedModelCard, model: LayersModel): PretrainedModel {
  const { inputSize, channels, mean, std } = card;
  const positive = card.classNames.indexOf(card.positiveClass);
  const threshold = card.threshold.value;
  const settings = { height: inputSize, width: inputSize, channels, antialias: true };
  const predict = (images: DecodedImage[]): PretrainedPrediction[] => {
    if (!Array.isArray(images)) throw new Error('predict: expected an array of decoded images');
    if (images.length === 0) return [];
    const rows = tf.tidy(() => {
      const size = inputSize * inputSize * channels;
      const batch = new Float32Array(images.length * size);
      // The training loader's preparation (channels, antialiased resize, 8-bit rounding), then the card's normalisation.
      images.forEach((image, i) => toModelInput(image, settings).forEach((level, k) => (batch[i * size + k] = level / 255)));
      const x = normalize(tf.tensor4d(batch, [images.length, inputSize, inputSize, channels]), mean, std);
      return tf.softmax(model.predict(x) as tf.Tensor2D).arraySync();
    });
    return rows.map((row) => {
      if (!row.every(Number.isFinite)) throw new Error(`predict: ${card.name} gave non-finite probabilities; its weights are damaged`);
      return {
        fractured: row[positive] >= threshold,
        probability: row[positive],
        threshold,
        probabilities: Object.fromEntries(row.map((p, k) => [card.classNames[k], p])),
      };
    });
  };
  return {
    name: card.name,
    card,
    model,
    predict,
    dispose: () => model.dispose(),
  };
}

async function fetchFiles(fn: string, source: Extract<PretrainedModelSource, { baseUrl: unknown }>): Promise<PretrainedModelBytes> {
  const fetcher = source.fetch ?? (globalThis as unknown as { fetch?: NonNullable<typeof source.fetch> }).fetch;
  if (!fetcher) throw new Error(`${fn}: no fetch in this runtime; pass { fetch } or the bytes`);
  const base = String(source.baseUrl).replace(/\/?$/, '/');
  const get = async (file: string) => {
    const response = await fetcher(base + file);
    if (!response.ok) throw new Error(`${fn}: ${base + file}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const [modelJson, weights] = await Promise.all([get('model.json'), get('weights.bin')]);
  return { modelJson, weights };
}

function parseModelJson(fn: string, value: PretrainedModelBytes['modelJson']): ModelJson {
  let json: unknown = value;
  try {
    if (value instanceof Uint8Array) json = JSON.parse(new TextDecoder().decode(value));
    else if (typeof value === 'string') json = JSON.parse(value);
  } catch (error) {
    throw new Error(`${fn}: model.json is not JSON: ${(error as Error).message}`);
  }
  const candidate = json as Partial<ModelJson> | null;
  if (!candidate || typeof candidate !== 'object' || !candidate.modelTopology || !Array.isArray(candidate.weightsManifest)) {
    throw new Error(`${fn}: model.json has no modelTopology and weightsManifest`);
  }
  return candidate as ModelJson;
}

function toArrayBuffer(weights: ArrayBuffer | Uint8Array): ArrayBuffer {
  if (weights instanceof ArrayBuffer) return weights;
  // Exactly the view's bytes: a Node Buffer's slice() shares (and its .buffer may be larger than) the view.
  if (weights instanceof Uint8Array) return weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  throw new Error('loadPretrainedModel: weights must be an ArrayBuffer or a Uint8Array');
}

function bytesPerValue(spec: tf.io.WeightsManifestEntry): number {
  if (spec.quantization) return spec.quantization.dtype === 'float16' ? 2 : spec.quantization.dtype === 'uint16' ? 2 : 1;
  return spec.dtype === 'float32' || spec.dtype === 'int32' || spec.dtype === undefined ? 4 : 1;
}
