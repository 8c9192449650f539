import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createModel, isModelName } from '@fracture/models';
import { CLASS_NAMES } from '@fracture/preprocess';
import { loadWeightsInto, readCheckpoint } from '@fracture/train';
import type { EpochLogs } from '@fracture/train';
import { portableRelativePath } from './portable-path';
import { RUN_SETTINGS_FILE } from './run-settings';
import type { RunSettings } from './run-settings';
import { defaultPreparation, saveTrainedModel } from './trained-model';
import type { TrainedModelInfo } from './trained-model';

/** The model of an unfinished run, as {@link exportCheckpointModel} wrote it. */
export interface CheckpointModel {
  modelDir: string;
  info: TrainedModelInfo;
  /** Epochs the checkpoint completed, with their logs. */
  history: EpochLogs[];
  /** Optimiser steps taken; identifies the checkpoint (a later one has more). */
  step: number;
  settings: RunSettings;
}

/**
 * Writes the last epoch-end checkpoint of a training run folder (`runTraining`'s `out`, still training or stopped) as a
 * model folder that `evaluate`, `predict` and `explain` read, so a long run can be reported on before it ends.
 * The run's own files are only read: this is safe beside the process that is training.
 */
export async function exportCheckpointModel(runDir: string, modelDir: string): Promise<CheckpointModel> {
  const fn = 'exportCheckpointModel';
  const settingsFile = path.join(runDir, RUN_SETTINGS_FILE);
  let settings: RunSettings;
  try {
    settings = JSON.parse(await fs.readFile(settingsFile, 'utf8')) as RunSettings;
  } catch (error) {
    throw new Error(`${fn}: ${settingsFile}: cannot be read (${(error as Error).message}); the run folder must come from runTraining`);
  }
  const { modelName, inputSize, channels } = settings;
  if (typeof modelName !== 'string' || !isModelName(modelName)) throw new Error(`${fn}: ${settingsFile}: unknown modelName ${JSON.stringify(modelName)}`);
  if (typeof inputSize !== 'number' || (channels !== 1 && channels !== 3)) {
    throw new Error(`${fn}: ${settingsFile}: expected a numeric inputSize and channels 1 or 3, got ${JSON.stringify({ inputSize, channels })}`);
  }
  // The last epoch-end checkpoint, not a newer mid-epoch one: its weights are those of the epochs its history lists.
  const checkpoint = await readCheckpoint(path.join(runDir, 'checkpoints', 'last'));
  const model = createModel(modelName, { inputSize, channels });
  try {
    loadWeightsInto(model, checkpoint.weights, fn);
    const { history, step } = checkpoint.state;
    const info = await saveTrainedModel(modelDir, model, {
      modelName,
      channels,
      classNames: [...CLASS_NAMES],
      positiveClass: CLASS_NAMES[0],
      ...defaultPreparation(modelName, channels, inputSize),
      training: { ...settings, epochs: history.length, step, partial: true, checkpoint: portableRelativePath(modelDir, checkpoint.dir), checkpointSavedAt: checkpoint.state.savedAt },
    });
    return { modelDir, info, history, step, settings };
  } finally {
    model.dispose();
  }
}
