import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createBatchLoader } from '@fracture/preprocess';
import type { DatasetItem } from '@fracture/preprocess';
import {
  evaluateBinaryClassifier,
  misclassified,
  plotConfusionMatrix,
  plotConfusionMatrixPng,
  plotPrecisionRecall,
  plotPrecisionRecallPng,
  plotReliability,
  plotReliabilityPng,
  plotRoc,
  plotRocPng,
  reliabilityBins,
} from '@fracture/metrics';
import type { BinaryEvaluation, MisclassifiedSample } from '@fracture/metrics';
import { predictBatches } from '@fracture/train';
import { useEngine } from './engine';
import { portableRelativePath } from './portable-path';
import { openProgress } from './progress-file';
import { evaluateSubgroups } from './subgroup-evaluation';
import type { SubgroupRow } from './subgroup-evaluation';
import { inferenceBatchSize } from './wasm-batch-sizes';
import { loadTrainedModel } from './trained-model';
import type { TrainedModelInfo } from './trained-model';

export interface EvaluateRunOptions {
  modelDir: string;
  items: DatasetItem[];
  /** Folder for metrics.json, predictions.csv and the plots. */
  out: string;
  /** Label shown in plots. Default: the model name. */
  name?: string;
  seed?: number;
  nBoot?: number;
  /** Resample whole source radiographs in the bootstrap (default true when items carry source ids). */
  groupedBootstrap?: boolean;
  batchSize?: number;
  cacheDir?: string;
  /**
   * The dataset folder: image paths in predictions.csv and misclassified.json are written relative to it (with `/`),
   * so the files can be committed and shared without this machine's folders in them. Default: absolute paths.
   */
  dataRoot?: string;
  onProgress?: (done: number, total: number | undefined) => void;
  /**
   * Keep the predictions so far in this JSON file (every `progressEverySeconds`, default 60) and continue from it
   * when it was written for the same `progressKey` (for example the model folder's fingerprint). Removed once all
   * items are predicted, unless `keepProgressFile`.
   */
  progressFile?: string;
  progressKey?: string;
  progressEverySeconds?: number;
  /**
   * Leave `progressFile` on disk, complete, when every item is predicted: for a caller whose job goes on after the
   * evaluation (a stop later in that job then does not predict everything again) and removes the file at its own end.
   */
  keepProgressFile?: boolean;
}

export interface Predictions {
  items: DatasetItem[];
  labels: number[];
  probabilities: number[][];
}

export interface EvaluateRunResult {
  name: string;
  info: TrainedModelInfo;
  evaluation: BinaryEvaluation;
  mistakes: (MisclassifiedSample & { path: string })[];
  predictions: Predictions;
  /** Items whose predictions were taken from `progressFile` instead of being made again. */
  resumed: number;
  /** The whole set, then each body region and with / without implants, when the items carry that metadata. */
  subgroups: SubgroupRow[];
  /** Every file written, by name (`roc.png`, `metrics.json`, ...), with its full path. */
  files: Record<string, string>;
}

/** One item's prediction as a progress file keeps it. */
interface PredictedItem {
  path: string;
  label: number;
  probabilities: number[];
}

/**
 * Predicts every item with a saved model, in the item order, with the model's own preparation. Items go through
 * the model a few batches at a time; with `progressFile` the predictions so far are kept there (tied to the model's
 * `progressKey`), so a stopped evaluation of thousands of images continues where it was. Unreadable images are
 * left out and reported, and tried again on a resumed run.
 */
export async function predictItems(
  modelDir: string,
  items: DatasetItem[],
  options: Pick<EvaluateRunOptions, 'batchSize' | 'cacheDir' | 'onProgress' | 'progressFile' | 'progressKey' | 'progressEverySeconds' | 'keepProgressFile'> = {},
): Promise<Predictions & { info: TrainedModelInfo; resumed: number }> {
  const engine = await useEngine();
  const { model, info } = await loadTrainedModel(modelDir);
  try {
    const batchSize = inferenceBatchSize(info.modelName, engine.name, options.batchSize ?? 32);
    const progress = await openProgress<PredictedItem>(
      options.progressFile,
      { key: options.progressKey ?? '', inputSize: info.inputSize, classNames: info.classNames },
      { everySeconds: options.progressEverySeconds, caller: 'predictItems' },
    );
    const pending = items.filter((item) => !progress.done.has(item.path));
    const chunkSize = batchSize * BATCHES_PER_CHUNK;
    let batchesDone = Math.ceil(progress.resumed / batchSize);
    const totalBatches = batchesDone + Math.ceil(pending.length / batchSize);
    const failures: { path: string; reason: string }[] = [];
    for (let start = 0; start < pending.length; start += chunkSize) {
      const loader = createBatchLoader(pending.slice(start, start + chunkSize), {
        imageSize: info.inputSize,
        channels: info.channels,
        batchSize,
        numClasses: info.classNames.length,
        mean: info.mean,
        std: info.std,
        cacheDir: options.cacheDir,
      });
      const chunk = await predictBatches<DatasetItem>(model, loader, { onBatch: () => options.onProgress?.(++batchesDone, totalBatches) });
      failures.push(...loader.failures);
      for (const [i, item] of chunk.items.entries()) {
        await progress.add({ path: item.path, label: chunk.labels[i], probabilities: chunk.probabilities[i] });
      }
    }
    if (failures.length > 0) {
      process.stderr.write(`${failures.length} ${failures.length === 1 ? 'image' : 'images'} could not be read and ${failures.length === 1 ? 'was' : 'were'} left out of the evaluation (first: ${failures[0].path}: ${failures[0].reason})\n`);
    }
    const predicted = items.filter((item) => progress.done.has(item.path));
    const rows = predicted.map((item) => progress.done.get(item.path)!);
    await (options.keepProgressFile ? progress.save() : progress.finish());
    return { info, resumed: progress.resumed, items: predicted, labels: rows.map((row) => row.label), probabilities: rows.map((row) => row.probabilities) };
  } finally {
    model.dispose();
  }
}

/** Batches predicted between two chances to save progress: long enough to keep the read-ahead busy. */
const BATCHES_PER_CHUNK = 8;

/** Metrics with bootstrap intervals, the four plots and the misclassified list for one set of predictions. */
export async function writeEvaluation(
  name: string,
  info: TrainedModelInfo,
  predictions: Predictions,
  out: string,
  options: { seed?: number; nBoot?: number; groupedBootstrap?: boolean; dataRoot?: string } = {},
) {
  await fs.mkdir(out, { recursive: true });
  const shownPath = pathShownFrom(options.dataRoot);
  const positiveLabel = Math.max(0, info.classNames.indexOf(info.positiveClass));
  const groups = predictions.items.map((item) => `${item.className}/${item.sourceId ?? item.path}`);
  const grouped = options.groupedBootstrap ?? predictions.items.every((item) => item.sourceId !== undefined);
  const threshold = info.threshold ?? 0.5;
  const evaluation = evaluateBinaryClassifier({
    labels: predictions.labels,
    probabilities: predictions.probabilities,
    positiveLabel,
    threshold,
    groups: grouped ? groups : undefined,
    seed: options.seed ?? 0,
    nBoot: options.nBoot ?? 1000,
  });
  const scores = predictions.probabilities.map((row) => row[positiveLabel]);
  const ids = predictions.items.map((item) => item.path);
  const mistakes = misclassified(ids, predictions.labels, predictions.probabilities, { labels: [0, 1] }).map((m) => ({ ...m, path: String(m.id) }));
  const files: Record<string, string> = {};
  const write = async (file: string, data: string | Uint8Array) => {
    await fs.writeFile(path.join(out, file), data);
    files[file] = path.join(out, file);
  };
  const positiveName = info.classNames[positiveLabel];
  const roc = [{ name, fpr: evaluation.roc.fpr, tpr: evaluation.roc.tpr, auc: evaluation.metrics.auc.estimate }];
  const rocTitle = `ROC (positive: ${positiveName})`;
  await write('roc.svg', plotRoc(roc, { title: rocTitle }));
  await write('roc.png', plotRocPng(roc, { title: rocTitle }));
  const cmOptions = { title: `Confusion matrix: ${name}`, classNames: info.classNames };
  await write('confusion.svg', plotConfusionMatrix(evaluation.confusion, cmOptions));
  await write('confusion.png', plotConfusionMatrixPng(evaluation.confusion, cmOptions));
  const pr = [{ name, precision: evaluation.precisionRecall.precision, recall: evaluation.precisionRecall.recall, averagePrecision: evaluation.averagePrecision }];
  await write('precision-recall.svg', plotPrecisionRecall(pr, { title: `Precision-recall (positive: ${positiveName})` }));
  await write('precision-recall.png', plotPrecisionRecallPng(pr, { title: `Precision-recall (positive: ${positiveName})` }));
  const reliability = [{ name, bins: reliabilityBins(predictions.labels, scores, { positiveLabel }) }];
  await write('reliability.svg', plotReliability(reliability, { title: 'Reliability' }));
  await write('reliability.png', plotReliabilityPng(reliability, { title: 'Reliability' }));
  await write('misclassified.json', JSON.stringify(mistakes.map((m) => ({ ...m, id: shownPath(m.path), path: shownPath(m.path) })), null, 2) + '\n');
  const csv = ['path,label,' + info.classNames.map((c) => `p_${c.replace(/\s+/g, '_')}`).join(',')]
    .concat(predictions.items.map((item, i) => [JSON.stringify(shownPath(item.path)), predictions.labels[i], ...predictions.probabilities[i].map((p) => p.toFixed(6))].join(',')))
    .join('\n');
  await write('predictions.csv', csv + '\n');
  const subgroups = evaluateSubgroups(predictions.items, predictions.labels, predictions.probabilities, { positiveLabel, threshold, seed: options.seed ?? 0, nBoot: options.nBoot ?? 1000 });
  await write('subgroups.json', JSON.stringify(subgroups, null, 2) + '\n');
  await write('report.md', evaluationReport(name, evaluation, subgroups, positiveName));
  const { roc: _roc, precisionRecall: _pr, ...summary } = evaluation;
  const dataFolder = options.dataRoot === undefined ? {} : { dataFolder: path.basename(path.resolve(options.dataRoot)) };
  await write('metrics.json', JSON.stringify({ name, model: info.modelName, ...dataFolder, ...summary, subgroups }, null, 2) + '\n');
  return { evaluation, mistakes, files, subgroups };
}

/** Image paths as the written files show them: relative to the dataset folder when there is one. */
function pathShownFrom(dataRoot: string | undefined): (file: string) => string {
  return dataRoot === undefined ? (file) => file : (file) => portableRelativePath(dataRoot, file);
}

function interval(value: { estimate: number; lower: number; upper: number } | null, digits = 3): string {
  return value ? `${value.estimate.toFixed(digits)} (${value.lower.toFixed(digits)}–${value.upper.toFixed(digits)})` : '–';
}

/** A Markdown summary: the headline metrics, then one row per subgroup (region, implants). */
function evaluationReport(name: string, evaluation: BinaryEvaluation, subgroups: SubgroupRow[], positiveName: string): string {
  const m = evaluation.metrics;
  const lines = [
    `# Evaluation of ${name}`,
    '',
    `${evaluation.n} images; positive class: ${positiveName}; threshold ${evaluation.threshold} on its probability; 95 % percentile bootstrap intervals.`,
    '',
    '| metric | value |',
    '| --- | ---: |',
    ...(['accuracy', 'auc', 'recall', 'specificity', 'precision', 'f1', 'kappa'] as const).map(
      (key) => `| ${key === 'recall' ? 'sensitivity (recall)' : key} | ${interval(m[key])} |`,
    ),
    '',
    '## Subgroups',
    '',
    '"–": the subgroup has no image of the class the metric needs.',
    '',
    '| group | images | fractured | AUC | sensitivity | specificity |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...subgroups.map((row) => `| ${row.group} | ${row.n} | ${row.positives} | ${interval(row.auc)} | ${interval(row.sensitivity)} | ${interval(row.specificity)} |`),
    '',
  ];
  return lines.join('\n');
}

/** Evaluates a saved model on `items` and writes metrics, plots and mistakes into `out`. */
export async function runEvaluation(options: EvaluateRunOptions): Promise<EvaluateRunResult> {
  const predictions = await predictItems(options.modelDir, options.items, options);
  const name = options.name ?? predictions.info.modelName;
  const { evaluation, mistakes, files, subgroups } = await writeEvaluation(name, predictions.info, predictions, options.out, options);
  const { info, resumed, ...predicted } = predictions;
  return { name, info, resumed, evaluation, mistakes, predictions: predicted, files, subgroups };
}
