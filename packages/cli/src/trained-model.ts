import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { getModelSpec, isModelName, loadModel, saveModel } from '@fracture/models';
import type { ModelName } from '@fracture/models';
import { checkTrainedModel } from './model-consistency';
import { writeFileNamed } from './write-file-named';
import { inferTrainedModelInfo } from './saved-model-info';

/** Everything needed to use a trained model again: what it is and how its inputs were prepared. */
export interface TrainedModelInfo {
  format: 'fracture-model@1';
  modelName: ModelName;
  inputSize: number;
  channels: 1 | 3;
  mean: number[];
  std: number[];
  /** Class names in output order. */
  classNames: string[];
  /** The class binary metrics and reports treat as positive. */
  positiveClass: string;
  /** Default Grad-CAM layer (torchvision name). */
  gradCamLayer: string;
  /**
   * Say "positive" when the positive class's probability is at least this (default 0.5, the arg-max of two
   * classes). Shipped models set it on validation data for a stated sensitivity.
   */
  threshold?: number;
  createdAt: string;
  /** Free-form provenance: protocol, seed, epochs, backend, data root. */
  training?: Record<string, unknown>;
}

const INFO_FILE = 'fracture-model.json';

/** Writes `model.json` + `weights.bin` and `fracture-model.json` into `dir`. */
export async function saveTrainedModel(dir: string, model: tfl.LayersModel, info: Omit<TrainedModelInfo, 'format' | 'createdAt'>): Promise<TrainedModelInfo> {
  await fs.mkdir(dir, { recursive: true });
  await saveModel(model, dir);
  const full: TrainedModelInfo = { format: 'fracture-model@1', createdAt: new Date().toISOString(), ...info };
  await writeFileNamed(path.join(dir, INFO_FILE), JSON.stringify(full, null, 2) + '\n', 'saveTrainedModel', { atomic: true });
  return full;
}

/**
 * Reads only `fracture-model.json` of a model folder: what the model is and how to prepare its inputs. A folder
 * written by @fracture/models' `saveModel` alone is accepted too when it holds one of the registry's models: its
 * preparation is then that model's default (see `inferTrainedModelInfo`).
 */
export async function readTrainedModelInfo(dir: string): Promise<TrainedModelInfo> {
  const infoPath = path.join(dir, INFO_FILE);
  let raw: string;
  try {
    raw = await fs.readFile(infoPath, 'utf8');
  } catch {
    const modelPath = path.join(dir, 'model.json');
    const modelJson = await fs.readFile(modelPath, 'utf8').catch(() => undefined);
    if (modelJson === undefined) {
      throw new Error(`readTrainedModelInfo: neither ${infoPath} nor ${modelPath} found: expected a folder written by 'fracture train', saveTrainedModel or saveModel`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(modelJson);
    } catch (error) {
      throw new Error(`readTrainedModelInfo: ${modelPath} is not valid JSON (${(error as Error).message})`);
    }
    return inferTrainedModelInfo(parsed, modelPath);
  }
  let info: TrainedModelInfo;
  try {
    info = JSON.parse(raw) as TrainedModelInfo;
  } catch (error) {
    throw new Error(`readTrainedModelInfo: ${infoPath} is not valid JSON (${(error as Error).message})`);
  }
  if (info.format !== 'fracture-model@1' || !isModelName(info.modelName)) {
    throw new Error(`readTrainedModelInfo: ${infoPath} does not describe a fracture model (format ${String(info.format)}, model ${String(info.modelName)})`);
  }
  return info;
}

/** Reads a folder written by {@link saveTrainedModel} (or by `fracture train`). */
export async function loadTrainedModel(dir: string): Promise<{ model: tfl.LayersModel; info: TrainedModelInfo }> {
  const info = await readTrainedModelInfo(dir);
  const model = await loadModel(dir);
  try {
    checkTrainedModel(model, info, dir, 'loadTrainedModel');
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, info };
}

/** The input preparation a model of the registry expects, for a given channel count. */
export function defaultPreparation(modelName: ModelName, channels: 1 | 3, inputSize?: number): Pick<TrainedModelInfo, 'inputSize' | 'mean' | 'std' | 'gradCamLayer'> {
  const spec = getModelSpec(modelName);
  const mean = [...spec.mean];
  const std = [...spec.std];
  const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    inputSize: inputSize ?? spec.inputSize,
    mean: channels === 1 ? [average(mean)] : mean,
    std: channels === 1 ? [average(std)] : std,
    gradCamLayer: spec.gradCamLayer,
  };
}
