import * as path from 'node:path';
import type { DatasetItem } from '@fracture/preprocess';
import { delongTest } from '@fracture/metrics';
import type { BinaryEvaluation, DelongResult } from '@fracture/metrics';
import { predictItems, writeEvaluation } from './evaluate-run';
import type { Predictions } from './evaluate-run';
import { readTrainedModelInfo } from './trained-model';

export interface EnsembleRunOptions {
  modelDirs: string[];
  items: DatasetItem[];
  out: string;
  /** Weights of the members' probabilities; default equal. */
  weights?: number[];
  seed?: number;
  nBoot?: number;
  cacheDir?: string;
  /** The dataset folder: written image paths are relative to it, as in `runEvaluation`. */
  dataRoot?: string;
  log?: (line: string) => void;
}

export interface EnsembleRunResult {
  members: { modelDir: string; name: string; evaluation: BinaryEvaluation }[];
  ensemble: BinaryEvaluation;
  /** DeLong's test of the ensemble's AUC against each member's on the same images. */
  comparisons: ({ member: string } & DelongResult)[];
}

/**
 * Averages the class probabilities of several trained models (each with its own input size and
 * normalisation) on the same images and evaluates the ensemble beside its members.
 */
export async function runEnsemble(options: EnsembleRunOptions): Promise<EnsembleRunResult> {
  const fn = 'runEnsemble';
  if (options.modelDirs.length < 2) throw new Error(`${fn}: an ensemble needs at least two model folders, got ${options.modelDirs.length}`);
  const weights = options.weights ?? options.modelDirs.map(() => 1);
  if (weights.length !== options.modelDirs.length || weights.some((w) => !(w >= 0)) || weights.every((w) => w === 0)) {
    throw new Error(`${fn}: expected one non-negative weight per model (not all zero), got ${JSON.stringify(weights)}`);
  }
  const log = options.log ?? (() => {});
  const members: EnsembleRunResult['members'] = [];
  const memberPredictions: (Predictions & { name: string })[] = [];
  for (const [k, modelDir] of options.modelDirs.entries()) {
    log(`predicting with ${modelDir}`);
    const predictions = await predictItems(modelDir, options.items, { cacheDir: options.cacheDir });
    const name = `${predictions.info.modelName}#${k + 1}`;
    const { evaluation } = await writeEvaluation(name, predictions.info, predictions, path.join(options.out, `member-${k + 1}`), options);
    members.push({ modelDir, name, evaluation });
    memberPredictions.push({ ...predictions, name });
  }
  const reference = memberPredictions[0];
  for (const other of memberPredictions.slice(1)) {
    if (other.items.length !== reference.items.length || other.items.some((item, i) => item.path !== reference.items[i].path)) {
      throw new Error(`${fn}: the models did not predict the same images (an image failed to load for one of them?)`);
    }
  }
  const total = weights.reduce((a, b) => a + b, 0);
  const probabilities = reference.probabilities.map((_, i) =>
    reference.probabilities[i].map((_, c) => memberPredictions.reduce((sum, member, k) => sum + (weights[k] / total) * member.probabilities[i][c], 0)),
  );
  const ensemblePredictions: Predictions = { items: reference.items, labels: reference.labels, probabilities };
  const info = await readTrainedModelInfo(options.modelDirs[0]);
  const { evaluation } = await writeEvaluation('ensemble', info, ensemblePredictions, path.join(options.out, 'ensemble'), options);
  const positive = Math.max(0, info.classNames.indexOf(info.positiveClass));
  const comparisons = memberPredictions.map((member) => ({
    member: member.name,
    ...delongTest(
      reference.labels,
      probabilities.map((row) => row[positive]),
      member.probabilities.map((row) => row[positive]),
      { positiveLabel: positive },
    ),
  }));
  return { members, ensemble: evaluation, comparisons };
}
