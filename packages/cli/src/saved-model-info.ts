import { CLASS_NAMES } from '@fracture/preprocess';
import { isModelName } from '@fracture/models';
import type { ModelName } from '@fracture/models';
// A cycle with trained-model.ts, harmless: each side calls the other only inside functions.
import { defaultPreparation } from './trained-model';
import type { TrainedModelInfo } from './trained-model';

interface LayerJson {
  name?: string;
  class_name?: string;
  config?: { name?: string; batch_input_shape?: (number | null)[]; units?: number; layers?: LayerJson[]; output_layers?: [string, number, number][] };
}

// `cnn-text` is the custom CNN as the paper's text describes it: the same registry entry.
const TOPOLOGY_NAMES: Record<string, ModelName> = { 'cnn-text': 'cnn' };

/**
 * What a bare `saveModel` folder (model.json + weights.bin, no fracture-model.json) must be: one of the
 * registry's models, recognised by the name `createModel` gives it, with that model's default preparation
 * and the dataset's class order. The input size and channels come from the saved input layer.
 */
export function inferTrainedModelInfo(modelJson: unknown, file: string): TrainedModelInfo {
  const fn = 'readTrainedModelInfo';
  const topology = (modelJson as { modelTopology?: LayerJson } | null)?.modelTopology;
  const config = topology?.config;
  const rawName = config?.name ?? '';
  const modelName = TOPOLOGY_NAMES[rawName] ?? rawName;
  if (!isModelName(modelName)) {
    throw new Error(
      `${fn}: ${file} holds a model named '${rawName}', not one created by @fracture/models' createModel; ` +
        'write a fracture-model.json beside it (saveTrainedModel does) to say how its inputs are prepared',
    );
  }
  const layers = config?.layers ?? [];
  const inputShape = layers.find((l) => l.class_name === 'InputLayer')?.config?.batch_input_shape;
  const [, height, width, channels] = inputShape ?? [];
  if (typeof height !== 'number' || height !== width || (channels !== 1 && channels !== 3)) {
    throw new Error(`${fn}: ${file} has no square 1- or 3-channel input layer (found ${JSON.stringify(inputShape)})`);
  }
  const outputName = config?.output_layers?.[0]?.[0];
  const units = layers.find((l) => l.name === outputName)?.config?.units;
  if (units !== CLASS_NAMES.length) {
    throw new Error(`${fn}: ${file} has ${String(units)} outputs; without a fracture-model.json only the ${CLASS_NAMES.length} classes ${CLASS_NAMES.join(' / ')} can be assumed`);
  }
  return {
    format: 'fracture-model@1',
    modelName,
    channels,
    ...defaultPreparation(modelName, channels, height),
    classNames: [...CLASS_NAMES],
    positiveClass: CLASS_NAMES[0],
    createdAt: '',
    training: { inferredFrom: 'model.json' },
  };
}
