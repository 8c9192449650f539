import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLASS_NAMES, decodeImageAsync, encodePng, findSharedSources, scanImageFolder, stratifiedSubset, toModelInput, writeSplitManifest } from '@fracture/preprocess';
import type { DatasetItem, DatasetSplit } from '@fracture/preprocess';
import { countParameters, createModel, getModelSpec, MODEL_NAMES } from '@fracture/models';
import type { ModelName } from '@fracture/models';
import { getModelCard } from '@fracture/pretrained';
import { plotRoc, plotRocPng, plotTrainingCurvesPng } from '@fracture/metrics';
import type { BinaryEvaluation, BootstrapInterval } from '@fracture/metrics';
import { resolveCheckpointDir } from '@fracture/train';
import type { EpochLogs, TrainBackend, TrainCallback } from '@fracture/train';
import { galleryItems, writeGallery } from './demo';
import { useEngine } from './engine';
import { exportCheckpointModel } from './checkpoint-model';
import { runEvaluation } from './evaluate-run';
import { measureLocalisation } from './localisation-run';
import { modelFingerprint } from './model-fingerprint';
import type { LocalisationSummary } from './localisation-run';
import { METADATA_KEYS, metadataBaseline } from './metadata-baseline';
import type { MetadataBaseline } from './metadata-baseline';
import { portableRelativePath } from './portable-path';
import { createPredictor } from './predictor';
import type { ExplainMethod } from './predictor';
import type { SubgroupRow } from './subgroup-evaluation';
import { exists, prepareSplit, runTraining } from './train-run';
import type { CliProtocol } from './train-run';
import { renderHtml, renderMarkdown } from './report-document';
import type { ReportBlock } from './report-document';

/** Table 1 of the study, as published. */
export const PAPER_RESULTS: Readonly<Record<ModelName, { label: string; pretrained: string; parameters: string; accuracy: number }>> = {
  cnn: { label: 'Custom CNN', pretrained: 'no', parameters: '5.6M', accuracy: 0.9824 },
  resnet18: { label: 'ResNet-18', pretrained: 'yes', parameters: '11.2M', accuracy: 0.9993 },
  'efficientnet-b3': { label: 'EfficientNet-B3', pretrained: 'yes', parameters: '10.7M', accuracy: 0.9993 },
  mobilenetv2: { label: 'MobileNetV2', pretrained: 'yes (text)', parameters: '~3.5M', accuracy: 0.8211 },
};

export interface ReproduceOptions {
  dataDir: string;
  out: string;
  protocols?: ('paper' | 'grouped')[];
  models?: ModelName[];
  seed?: number;
  /** Epochs per model (default the study's 10). A lower value is a reduced budget, stated in the report. */
  epochs?: number | Partial<Record<ModelName, number>>;
  /** Train on at most this many images per epoch (a reduced budget, stated in the report). */
  maxTrainImages?: number | Partial<Record<ModelName, number>>;
  /** Evaluate on at most this many test images (stated in the report). */
  maxTestImages?: number;
  /** ImageNet weights per model (`.safetensors` / `.pth`), for example MobileNetV2's. */
  weights?: Partial<Record<ModelName, string>>;
  backend?: TrainBackend;
  microBatchSize?: number | Partial<Record<ModelName, number>>;
  cacheDir?: string;
  nBoot?: number;
  /** The command line that produced the run, printed in the report. */
  command?: string;
  /** Circumstances of the run a reader should know (for example other load on the machine), printed as given. */
  notes?: string[];
  /**
   * A second, independent dataset (FracAtlas) on which every trained model is also evaluated whole, with
   * subgroups and Grad-CAM localisation against its boxes: external validation. Finished runs whose model folder
   * is still there are evaluated on the next re-run.
   */
  externalDataDir?: string;
  /**
   * Explanation methods scored against the external dataset's boxes (default Grad-CAM, Grad-CAM++ and occlusion).
   * A re-run adds the methods a finished run's external validation lacks, so the list can grow without retraining.
   */
  localisationMethods?: ExplainMethod[];
  /**
   * Train nothing: assemble the report from what is there. Finished models report their results; a model still
   * training (or stopped) is evaluated from its last checkpoint and its row says how far it got; a model not
   * started is left out. Safe to run beside the training processes, whose folders it only reads.
   */
  reportOnly?: boolean;
  progress?: TrainCallback | null;
  log?: (line: string) => void;
}

/** What one model on one protocol produced; stored as `result.json` so re-runs skip finished work. */
export interface ModelRunResult {
  protocol: 'paper' | 'grouped';
  modelName: ModelName;
  parameters: number;
  /** File name of the initial weights (null: from scratch). */
  pretrainedWeights: string | null;
  epochs: number;
  trainImages: number;
  fullTrainImages: number;
  testImages: number;
  fullTestImages: number;
  trainSeconds: number;
  evalSeconds: number;
  /** Training images per second, validation passes excluded when `throughputExcludesValidation`. */
  imagesPerSecond: number;
  /** False or absent for results recorded before epochs timed their validation pass separately. */
  throughputExcludesValidation?: boolean;
  /** Hours the study's full budget (10 epochs over every training image, each followed by validation) would take at the measured speeds. */
  fullRunHours: number;
  backend: string;
  /** CPU, cores, memory and Node version of the machine that ran it. */
  machine?: string;
  metrics: Record<string, BootstrapInterval>;
  confusion: BinaryEvaluation['confusion'];
  roc: { fpr: number[]; tpr: number[] };
  history: EpochLogs[];
  /** The command line that produced this result (runs may be split over several commands). */
  command?: string;
  /** The notes that command was given. */
  notes?: string[];
  gallery: string[];
  mistakes: { path: string; thumbnail: string; label: string; predicted: string; confidence: number }[];
  /** The model evaluated on `externalDataDir`, when it was given. */
  external?: ExternalValidation;
  /** Set when the run had not finished: the numbers are its last checkpoint's, after `epochs` epochs. */
  partial?: { step: number; plannedEpochs: number; savedAt?: string };
  /** Folder of the evaluation, curves and galleries, relative to the report (default `<protocol>/<model>`). */
  artifacts?: string;
}

/** One trained model on a whole external dataset. */
export interface ExternalValidation {
  /** Folder name of the dataset (`fracatlas`). */
  dataset: string;
  n: number;
  positives: number;
  threshold: number;
  metrics: Record<string, BootstrapInterval>;
  subgroups: SubgroupRow[];
  /** `occlusionWindow` is absent in results written before it was recorded (they used 32 px at 224). */
  localisation?: { n: number; tolerance: number; boxAreaFraction: number; occlusionWindow?: number; rows: LocalisationSummary[] };
  /** Grad-CAM panels of a few fractured images with the radiologists' boxes outlined, relative to the report. */
  gallery?: string[];
  seconds: number;
}

export interface ReproduceResult {
  out: string;
  reportMarkdown: string;
  reportHtml: string;
  results: ModelRunResult[];
}

/** Written before a model trains: the command and notes that started it, for a report assembled before it ends. */
const RUN_COMMAND_FILE = 'reproduce-command.json';

const pick = <T>(value: T | Partial<Record<ModelName, T>> | undefined, model: ModelName): T | undefined =>
  value !== null && typeof value === 'object' ? (value as Partial<Record<ModelName, T>>)[model] : (value as T | undefined);

/**
 * Trains and evaluates the study's four models on each protocol and writes `report.md` and
 * `report.html` into `out`. Finished models (`<protocol>/<model>/result.json`) are skipped, and an
 * interrupted training resumes from its last checkpoint, so the command can simply be re-run.
 */
export async function reproduce(options: ReproduceOptions): Promise<ReproduceResult> {
  const log = logTo(options);
  const protocols = options.protocols ?? ['paper', 'grouped'];
  const models = options.models ?? [...MODEL_NAMES];
  const seed = options.seed ?? 0;
  for (const [model, file] of Object.entries(options.weights ?? {})) {
    if (!(await exists(file))) throw new Error(`reproduce: the ${model} weights ${file} do not exist`);
  }
  await fs.mkdir(options.out, { recursive: true });
  await useEngine(options.backend);
  const results: ModelRunResult[] = [];
  const splits: Record<string, DatasetSplit> = {};

  const external = options.externalDataDir ? await scanImageFolder(options.externalDataDir) : undefined;
  if (external) {
    log(`external validation on ${external.root}: ${external.items.length} images (${external.unreadable.length} unreadable, left out)`);
    for (const problem of external.unreadable) log(`  left out ${problem.path}: ${problem.reason}`);
  }

  // Finished runs whose weights are here but that this (report-only) call did not validate externally.
  const awaitingValidation = new Set<ModelRunResult>();
  for (const protocol of protocols) {
    const protocolDir = path.join(options.out, protocol);
    await fs.mkdir(protocolDir, { recursive: true });
    const split = await prepareSplit(options.dataDir, protocol as CliProtocol, seed, path.join(protocolDir, 'split.csv'));
    await writeSplitManifest(path.join(protocolDir, 'split.csv'), split, { root: options.dataDir });
    splits[protocol] = split;
    for (const modelName of models) {
      const dir = path.join(protocolDir, modelName);
      const resultFile = path.join(dir, 'result.json');
      let result: ModelRunResult | undefined;
      try {
        result = JSON.parse(await fs.readFile(resultFile, 'utf8')) as ModelRunResult;
        if (!options.reportOnly) log(`${protocol}/${modelName}: already finished, skipping (delete ${resultFile} to redo)`);
      } catch {
        // not finished yet
      }
      if (!result && options.reportOnly) {
        result = await partialResult({ protocol, modelName, split, dir, seed, options, log });
        if (!result) {
          log(`${protocol}/${modelName}: no epoch finished yet (no epoch-end checkpoint in ${path.join(dir, 'checkpoints')}), left out of the report`);
          continue;
        }
      }
      if (!result) {
        result = await runOne({ protocol, modelName, split, dir, seed, options, log });
        await fs.writeFile(resultFile, JSON.stringify(result, null, 2) + '\n');
      }
      const modelDir = path.join(dir, 'model');
      // The training processes own their folders: assembling a report never writes into a finished run.
      if (external && !options.reportOnly && !result.partial && (await exists(path.join(modelDir, 'model.json')))) {
        if (result.external?.dataset !== path.basename(external.root)) {
          log(`${protocol}/${modelName}: external validation on ${external.items.length} images`);
          result.external = await externalValidation(modelDir, external.root, external.items, path.join(dir, 'external'), seed, options);
          await fs.writeFile(resultFile, JSON.stringify(result, null, 2) + '\n');
        }
        const localisation = result.external.localisation;
        const missing = localisationMethods(options).filter((method) => localisation && !localisation.rows.some((row) => row.method === method));
        if (localisation && missing.length > 0) {
          log(`${protocol}/${modelName}: localisation of ${missing.join(', ')} on ${localisation.n} fractured ${path.basename(external.root)} images`);
          const added = await measureMethods(modelDir, external.items, missing, seed, options, path.join(dir, 'external', 'localisation-added.progress.json'));
          // The baselines were scored with the first methods; the new rows go before them.
          const baselines = localisation.rows.filter((row) => BASELINE_MAPS.includes(row.method));
          const methods = localisation.rows.filter((row) => !BASELINE_MAPS.includes(row.method));
          localisation.rows = [...methods, ...added.rows.filter((row) => missing.includes(row.method as ExplainMethod)), ...baselines];
          await fs.writeFile(resultFile, JSON.stringify(result, null, 2) + '\n');
        }
        if (!result.external.gallery) {
          const files = boxGalleryItems(external.items, 4);
          const boxes = new Map(external.items.map((item) => [item.path, item.boxes]));
          const written = await writeGallery(modelDir, files, path.join(dir, 'external', 'gradcam'), { positiveClass: true, boxesOf: (file) => boxes.get(file) });
          result.external.gallery = written.map((file) => path.relative(options.out, file));
          await fs.writeFile(resultFile, JSON.stringify(result, null, 2) + '\n');
        }
      } else if (external && !result.partial && result.external?.dataset !== path.basename(external.root)) {
        if (await exists(path.join(modelDir, 'model.json'))) {
          awaitingValidation.add(result);
          log(`${protocol}/${modelName}: not validated on ${path.basename(external.root)} yet (--report-only validates nothing; the command without it does)`);
        } else {
          log(`${protocol}/${modelName}: no model folder (${modelDir}): its weights were not kept, so it cannot be validated externally; re-run it to include it`);
        }
      }
      results.push(result);
    }
  }

  // What the external dataset's metadata alone reaches: the bar a model trained elsewhere must clear.
  const baselines = external
    ? Object.keys(METADATA_KEYS).flatMap((name) => metadataBaseline(name, external.items, { positiveLabel: CLASS_NAMES.indexOf('fractured'), seed, nBoot: options.nBoot ?? 1000 }) ?? [])
    : [];
  const blocks = await reportBlocks(results, splits, options, seed, awaitingValidation, baselines);
  const reportMarkdown = path.join(options.out, 'report.md');
  const reportHtml = path.join(options.out, 'report.html');
  await fs.writeFile(reportMarkdown, renderMarkdown(blocks));
  await fs.writeFile(reportHtml, renderHtml('fracture-ai: reproduction of "Bone Fracture Detection Using Deep Learning"', blocks));
  return { out: options.out, reportMarkdown, reportHtml, results };
}

/** One model on one protocol, as the steps of a reproduction see it. */
interface ModelRun {
  protocol: 'paper' | 'grouped';
  modelName: ModelName;
  split: DatasetSplit;
  /** `<out>/<protocol>/<model>`: the training folder. */
  dir: string;
  seed: number;
  options: ReproduceOptions;
  log: (line: string) => void;
}

async function runOne(run: ModelRun): Promise<ModelRunResult> {
  const { protocol, modelName, split, dir, seed, options, log } = run;
  const spec = getModelSpec(modelName);
  const epochs = pick(options.epochs, modelName) ?? spec.epochs;
  const maxTrain = pick(options.maxTrainImages, modelName);
  const weights = options.weights?.[modelName];
  log(`${protocol}/${modelName}: training ${epochs} epochs on ${maxTrain ? Math.min(maxTrain, split.train.length) : split.train.length} of ${split.train.length} images`);
  // A report assembled while this trains (reportOnly) names the command that is training it.
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, RUN_COMMAND_FILE), JSON.stringify({ command: options.command ?? null, notes: options.notes ?? [], epochs }, null, 2) + '\n');
  const trained = await runTraining({
    modelName,
    split,
    dataDir: options.dataDir,
    protocol,
    seed,
    out: dir,
    epochs,
    weights,
    backend: options.backend,
    microBatchSize: pick(options.microBatchSize, modelName),
    cacheDir: options.cacheDir,
    maxTrainImages: maxTrain,
    progress: options.progress,
    log,
  });
  const result = await summariseRun(
    run,
    { modelDir: trained.modelDir, history: trained.history, trainImages: trained.info.training?.trainImages as number, weights: weights ?? null, backend: trained.backend },
  );
  // The figures of an earlier checkpoint, which the report no longer shows now that the run has finished.
  await fs.rm(path.join(dir, 'partial'), { recursive: true, force: true });
  return result;
}

/**
 * The report's view of a run that has not finished: its last checkpoint, evaluated on the whole test part into
 * `<dir>/partial/`. Cached by the checkpoint's step, so assembling again costs nothing until training moves on.
 */
async function partialResult(run: ModelRun): Promise<ModelRunResult | undefined> {
  const { protocol, modelName, split, dir, options, log } = run;
  try {
    // The epoch-end checkpoint: a mid-epoch one holds weights part-way through an epoch its history does not count.
    await resolveCheckpointDir(path.join(dir, 'checkpoints', 'last'));
  } catch {
    return undefined; // not started, or no epoch finished yet
  }
  const partialDir = path.join(dir, 'partial');
  const cacheFile = path.join(partialDir, 'result.json');
  const checkpoint = await exportCheckpointModel(dir, path.join(partialDir, 'model'));
  try {
    const cached = JSON.parse(await fs.readFile(cacheFile, 'utf8')) as ModelRunResult;
    if (cached.partial?.step === checkpoint.step) return cached;
  } catch {
    // not evaluated yet
  }
  let training: { command?: string | null; notes?: string[]; epochs?: number } = {};
  try {
    training = JSON.parse(await fs.readFile(path.join(dir, RUN_COMMAND_FILE), 'utf8')) as typeof training;
  } catch {
    // started before commands were recorded: the report lists none for this row
  }
  // The budget the training process is working to, not the one this assembling command was given.
  const plannedEpochs = training.epochs ?? pick(options.epochs, modelName) ?? getModelSpec(modelName).epochs;
  log(`${protocol}/${modelName}: unfinished: evaluating its last checkpoint (${checkpoint.history.length} of ${plannedEpochs} epochs, step ${checkpoint.step})`);
  const { maxTrainImages, weights } = checkpoint.settings;
  const result = await summariseRun(
    { ...run, options: { ...options, command: training.command ?? undefined, notes: training.notes ?? [] }, artifactsDir: partialDir },
    {
      modelDir: checkpoint.modelDir,
      history: checkpoint.history,
      trainImages: typeof maxTrainImages === 'number' ? Math.min(maxTrainImages, split.train.length) : split.train.length,
      weights: typeof weights === 'string' ? weights : null,
      backend: 'recorded when the run finishes',
    },
  );
  result.partial = { step: checkpoint.step, plannedEpochs, savedAt: checkpoint.info.training?.checkpointSavedAt as string | undefined };
  await fs.writeFile(cacheFile, JSON.stringify(result, null, 2) + '\n');
  return result;
}

/** Evaluates a trained (or checkpointed) model on its protocol's test part and gathers what the report shows. */
async function summariseRun(
  run: ModelRun & { artifactsDir?: string },
  trained: { modelDir: string; history: EpochLogs[]; trainImages: number; weights: string | null; backend: string },
): Promise<ModelRunResult> {
  const { protocol, modelName, split, seed, options } = run;
  const artifactsDir = run.artifactsDir ?? run.dir;
  const spec = getModelSpec(modelName);
  const testItems = options.maxTestImages ? stratifiedSubset(split.test, options.maxTestImages) : split.test;
  const evalStarted = Date.now();
  const evaluation = await runEvaluation({
    modelDir: trained.modelDir,
    items: testItems,
    out: path.join(artifactsDir, 'evaluation'),
    name: PAPER_RESULTS[modelName].label,
    seed,
    nBoot: options.nBoot ?? 1000,
    cacheDir: options.cacheDir,
    dataRoot: options.dataDir,
  });
  const evalSeconds = (Date.now() - evalStarted) / 1000;

  // Another checkpoint or run picks other mistakes (and names gallery files by its predictions): the pictures of
  // the one before would otherwise stay beside the new ones, unreferenced.
  await Promise.all(['mistakes', 'gradcam'].map((folder) => fs.rm(path.join(artifactsDir, folder), { recursive: true, force: true })));
  const gallery = await writeGallery(trained.modelDir, galleryItems(evaluation.predictions.items, 2), path.join(artifactsDir, 'gradcam'));
  const mistakes = await writeThumbnails(evaluation.mistakes.slice(0, 6), path.join(artifactsDir, 'mistakes'));
  const trainSeconds = trained.history.reduce((sum, epoch) => sum + epoch.seconds, 0);
  const validationSeconds = trained.history.reduce((sum, epoch) => sum + (epoch.val_seconds ?? 0), 0);
  // Throughput on training steps alone: a reduced budget still validates on the whole validation set
  // each epoch, so folding that in would inflate the full-run estimate.
  const stepSeconds = trainSeconds - validationSeconds;
  const imagesPerSecond = stepSeconds > 0 ? (trained.trainImages * trained.history.length) / stepSeconds : 0;
  const validationSecondsPerEpoch = trained.history.length > 0 ? validationSeconds / trained.history.length : 0;
  const model = createModel(modelName, { inputSize: spec.inputSize });
  const parameters = countParameters(model);
  model.dispose();
  const reportRoot = path.dirname(path.dirname(run.dir));
  return {
    protocol,
    modelName,
    parameters,
    pretrainedWeights: trained.weights ? path.basename(trained.weights) : null,
    epochs: trained.history.length,
    trainImages: trained.trainImages,
    fullTrainImages: split.train.length,
    testImages: testItems.length,
    fullTestImages: split.test.length,
    trainSeconds,
    evalSeconds,
    imagesPerSecond,
    throughputExcludesValidation: trained.history.every((epoch) => epoch.val_seconds !== undefined),
    fullRunHours: imagesPerSecond > 0 ? (spec.epochs * (split.train.length / imagesPerSecond + validationSecondsPerEpoch)) / 3600 : Number.NaN,
    backend: trained.backend,
    machine: describeMachine(),
    metrics: { ...evaluation.evaluation.metrics },
    confusion: evaluation.evaluation.confusion,
    roc: { fpr: evaluation.evaluation.roc.fpr, tpr: evaluation.evaluation.roc.tpr },
    history: trained.history,
    command: options.command,
    notes: options.notes,
    gallery: gallery.map((file) => path.relative(reportRoot, file)),
    mistakes: mistakes.map((m) => ({ ...m, path: portableRelativePath(options.dataDir, m.path), thumbnail: path.relative(reportRoot, m.thumbnail) })),
    ...(run.artifactsDir ? { artifacts: path.relative(reportRoot, run.artifactsDir) } : {}),
  };
}

/**
 * Fractured images with boxes for the external gallery, spread evenly over the dataset's order (ids), so the
 * examples are neither chosen by hand nor by how well the model does on them.
 */
export function boxGalleryItems(items: readonly DatasetItem[], count: number): string[] {
  const boxed = items.filter((item) => (item.boxes?.length ?? 0) > 0 && item.label === 0).map((item) => item.path).sort();
  if (boxed.length <= count) return boxed;
  return Array.from({ length: count }, (_, k) => boxed[Math.floor(((k + 0.5) * boxed.length) / count)]!);
}

/** Evaluates a trained model on every image of an external dataset, by subgroup, and where its Grad-CAM points. */
async function externalValidation(modelDir: string, root: string, items: DatasetItem[], out: string, seed: number, options: ReproduceOptions): Promise<ExternalValidation> {
  const started = Date.now();
  await fs.mkdir(out, { recursive: true });
  const predictionsProgress = path.join(out, 'predictions.progress.json');
  const evaluation = await runEvaluation({
    modelDir,
    items,
    out,
    name: path.basename(root),
    seed,
    nBoot: options.nBoot ?? 1000,
    cacheDir: options.cacheDir,
    dataRoot: root,
    progressFile: predictionsProgress,
    progressKey: await modelFingerprint(modelDir),
    // Kept until the localisation below is done too: a stop there would otherwise predict every image again.
    keepProgressFile: true,
    onProgress: everyMinute((done, total) => logTo(options)(`  external evaluation: ${done}/${total} batches`)),
  });
  if (evaluation.resumed > 0) logTo(options)(`  external evaluation continued from ${predictionsProgress} (${evaluation.resumed} images already predicted)`);
  let localisation: ExternalValidation['localisation'];
  if (items.some((item) => (item.boxes?.length ?? 0) > 0)) {
    const result = await measureMethods(modelDir, items, localisationMethods(options), seed, options, path.join(out, 'localisation.progress.json'));
    localisation = { n: result.n, tolerance: result.tolerance, boxAreaFraction: result.boxAreaFraction, occlusionWindow: result.occlusionWindow, rows: result.rows };
  }
  await fs.rm(predictionsProgress, { force: true });
  return {
    dataset: path.basename(root),
    n: evaluation.evaluation.n,
    positives: evaluation.subgroups[0]?.positives ?? 0,
    threshold: evaluation.evaluation.threshold,
    metrics: { ...evaluation.evaluation.metrics },
    subgroups: evaluation.subgroups,
    localisation,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Where progress lines go: `options.log`, or standard error (standard output stays for results). */
const logTo = (options: ReproduceOptions) => options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));

/** A progress report passed on at most once a minute, and always at the end. */
function everyMinute(report: (done: number, total: number | undefined) => void): (done: number, total: number | undefined) => void {
  let last = Date.now();
  return (done, total) => {
    if (Date.now() - last < 60_000 && done !== total) return;
    last = Date.now();
    report(done, total);
  };
}

/** The maps every localisation is compared with (scored alongside the methods by measureLocalisation). */
const BASELINE_MAPS = ['centre prior', 'uniform'];

const localisationMethods = (options: ReproduceOptions): ExplainMethod[] => options.localisationMethods ?? ['gradcam', 'gradcam++', 'occlusion'];

/**
 * Scores `methods` against the boxes. On EfficientNet-B3 this is hours of occlusion passes, so the scores so far
 * are kept in `progressFile` (tied to the model's weights) and a stopped run continues where it was.
 */
async function measureMethods(modelDir: string, items: DatasetItem[], methods: ExplainMethod[], seed: number, options: ReproduceOptions, progressFile: string) {
  const predictor = await createPredictor(modelDir);
  try {
    await fs.mkdir(path.dirname(progressFile), { recursive: true });
    const result = await measureLocalisation(predictor, items, {
      methods,
      seed,
      nBoot: options.nBoot ?? 1000,
      progressFile,
      progressKey: await modelFingerprint(modelDir),
      onProgress: everyMinute((done, total) => logTo(options)(`  localisation: ${done}/${total} images`)),
    });
    if (result.resumed > 0) logTo(options)(`  localisation continued from ${progressFile} (${result.resumed} images already scored)`);
    return result;
  } finally {
    predictor.dispose();
  }
}

function describeMachine(): string {
  const cpus = os.cpus();
  const gib = os.totalmem() / 2 ** 30;
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${gib.toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

async function writeThumbnails(mistakes: { path: string; label: number | string; predicted: number | string; confidence: number }[], out: string) {
  await fs.mkdir(out, { recursive: true });
  const written = [];
  for (const [k, mistake] of mistakes.entries()) {
    const image = await decodeImageAsync(new Uint8Array(await fs.readFile(mistake.path)), { path: mistake.path, reduceTo: 128 });
    const data = toModelInput(image, { height: 128, width: 128, channels: 1, antialias: true });
    const thumbnail = { data, width: 128, height: 128, channels: 1 as const, bitDepth: 8 as const };
    const file = path.join(out, `${k + 1}-${path.parse(mistake.path).name}.png`);
    await fs.writeFile(file, encodePng(thumbnail));
    written.push({
      path: mistake.path,
      thumbnail: file,
      label: CLASS_NAMES[Number(mistake.label)] ?? String(mistake.label),
      predicted: CLASS_NAMES[Number(mistake.predicted)] ?? String(mistake.predicted),
      confidence: mistake.confidence,
    });
  }
  return written;
}

const fmtCi = (m: BootstrapInterval | undefined) => (m ? `${(100 * m.estimate).toFixed(1)} (${(100 * m.lower).toFixed(1)}–${(100 * m.upper).toFixed(1)})` : '–');
const fmtKappa = (m: BootstrapInterval | undefined) => (m ? `${m.estimate.toFixed(3)} (${m.lower.toFixed(3)}–${m.upper.toFixed(3)})` : '–');

const isStudyBudget = (r: ModelRunResult) => !r.partial && r.epochs >= 10 && r.trainImages >= r.fullTrainImages;

/** How an unfinished run's row is labelled: its numbers are a checkpoint's, not the run's. */
const PARTIAL_LABEL = '**partial** (still training; its last checkpoint)';

/** The budget in a few words, for the row of Table 1 that holds the numbers it produced. */
function budgetSummary(r: ModelRunResult): string {
  if (isStudyBudget(r)) return `the study's: ${r.epochs} epochs, all training images`;
  const images = r.trainImages >= r.fullTrainImages ? 'all training images' : `${r.trainImages.toLocaleString('en-US')} of ${r.fullTrainImages.toLocaleString('en-US')} images`;
  if (r.partial) return `${PARTIAL_LABEL}: ${r.epochs} of ${r.partial.plannedEpochs} epochs, ${images}`;
  return `**reduced**: ${r.epochs} of 10 epochs, ${images}`;
}

function budget(r: ModelRunResult): string {
  const base = `${r.epochs} ep × ${r.trainImages.toLocaleString('en-US')} img`;
  if (isStudyBudget(r)) return `${base} (the study's budget)`;
  const estimate = `full run ≈ ${r.fullRunHours.toFixed(1)} h at ${r.imagesPerSecond.toFixed(2)} img/s`;
  if (r.partial) return `${PARTIAL_LABEL}: ${base} of ${r.partial.plannedEpochs} × ${r.fullTrainImages.toLocaleString('en-US')}; ${estimate}`;
  return `**reduced**: ${base} of 10 × ${r.fullTrainImages.toLocaleString('en-US')}; ${estimate}`;
}

async function reportBlocks(
  results: ModelRunResult[],
  splits: Record<string, DatasetSplit>,
  options: ReproduceOptions,
  seed: number,
  awaitingValidation: ReadonlySet<ModelRunResult>,
  baselines: MetadataBaseline[],
): Promise<ReportBlock[]> {
  const blocks: ReportBlock[] = [
    { kind: 'heading', level: 1, text: 'Reproduction of "Bone Fracture Detection Using Deep Learning"' },
    {
      kind: 'paragraph',
      text:
        `Every number below was produced by the run this report describes. Accuracy, precision, recall and F1 are in percent with 95 % percentile bootstrap intervals (${(options.nBoot ?? 1000).toLocaleString('en-US')} resamples of whole source radiographs); precision, recall and F1 are for the class "fractured". ` +
        'The paper protocol splits images at random (as the study did), so rotated near-copies of one radiograph land in both training and test sets; the grouped protocol keeps every source radiograph in one part, which is the honest estimate.',
    },
  ];
  const commands = [...new Set(results.map((r) => r.command).filter((c): c is string => Boolean(c)))];
  if (commands.length <= 1) {
    const command = commands[0] ?? options.command;
    if (command) blocks.push({ kind: 'paragraph', text: 'Command:' }, { kind: 'code', text: command });
  } else {
    // Protocols or models may have run as separate processes (one per core); each result keeps its own.
    blocks.push({ kind: 'paragraph', text: 'The results were produced by these commands (each re-run skips what is finished):' });
    blocks.push({ kind: 'code', text: commands.join('\n') });
    if (options.command && !commands.includes(options.command)) blocks.push({ kind: 'paragraph', text: 'and the report was assembled by:' }, { kind: 'code', text: options.command });
  }

  const protocols = [...new Set(results.map((r) => r.protocol))];
  blocks.push({ kind: 'heading', level: 2, text: 'Table 1, extended' });
  const header = ['model', 'pretrained', 'parameters', 'training budget', 'paper accuracy'];
  for (const p of protocols) header.push(`${p}: accuracy`, `${p}: precision`, `${p}: recall`, `${p}: F1`, `${p}: AUC`, `${p}: kappa`);
  const rows = [...new Set(results.map((r) => r.modelName))].map((modelName) => {
    const paper = PAPER_RESULTS[modelName];
    const any = results.find((r) => r.modelName === modelName)!;
    const budgets = protocols.map((p) => results.find((x) => x.modelName === modelName && x.protocol === p)).filter((r): r is ModelRunResult => Boolean(r));
    const budgetTexts = [...new Set(budgets.map(budgetSummary))];
    const budgetCell = budgetTexts.length === 1 ? budgetTexts[0]! : budgets.map((r) => `${r.protocol}: ${budgetSummary(r)}`).join('; ');
    const here = any.pretrainedWeights ? 'ImageNet' : paper.pretrained.startsWith('yes') ? 'no (from scratch)' : 'no';
    const row = [paper.label, `paper: ${paper.pretrained}; here: ${here}`, `paper: ${paper.parameters}; here: ${any.parameters.toLocaleString('en-US')}`, budgetCell, `${(100 * paper.accuracy).toFixed(2)} %`];
    for (const p of protocols) {
      const r = results.find((x) => x.modelName === modelName && x.protocol === p);
      row.push(fmtCi(r?.metrics.accuracy), fmtCi(r?.metrics.precision), fmtCi(r?.metrics.recall), fmtCi(r?.metrics.f1), fmtKappa(r?.metrics.auc), fmtKappa(r?.metrics.kappa));
    }
    return row;
  });
  blocks.push({ kind: 'table', header, rows });
  const fromScratch = [...new Set(results.filter((r) => !r.pretrainedWeights && PAPER_RESULTS[r.modelName].pretrained.startsWith('yes')).map((r) => r.modelName))];
  if (fromScratch.length > 0) {
    const labels = fromScratch.map((m) => PAPER_RESULTS[m].label).join(' and ');
    blocks.push({
      kind: 'paragraph',
      text:
        `${labels} started from random weights here, where the study fine-tuned ImageNet weights: torchvision's ImageNet files could not be obtained on the machine that ran this, so ${fromScratch.length === 1 ? 'its row is' : 'these rows are'} not the study's transfer learning. ` +
        `With torchvision's files, pass them per model: \`--weights ${fromScratch.map((m) => `${m}=<${m}>.pth`).join(',')}\` (\`.pth\` or \`.safetensors\`, torchvision's names).`,
    });
  }

  blocks.push({ kind: 'heading', level: 2, text: 'Training budget, run time and backend' });
  blocks.push({
    kind: 'table',
    header: ['protocol', 'model', 'budget', 'train time', 'train img/s', 'evaluation time', 'test images', 'backend'],
    rows: results.map((r) => [
      r.protocol,
      PAPER_RESULTS[r.modelName].label,
      budget(r),
      `${(r.trainSeconds / 60).toFixed(1)} min`,
      r.throughputExcludesValidation ? r.imagesPerSecond.toFixed(2) : `${r.imagesPerSecond.toFixed(2)} (validation passes included)`,
      `${(r.evalSeconds / 60).toFixed(1)} min`,
      r.testImages === r.fullTestImages ? String(r.testImages) : `${r.testImages} of ${r.fullTestImages} (stratified subset)`,
      r.backend,
    ]),
  });

  const machines = [...new Set(results.map((r) => r.machine).filter((m): m is string => Boolean(m)))];
  if (machines.length > 0) blocks.push({ kind: 'paragraph', text: `Measured on: ${machines.join('; ')}. Train time includes each epoch's validation pass; train img/s counts training images over the time of the training steps.` });
  for (const note of new Set([...results.flatMap((r) => r.notes ?? []), ...(options.notes ?? [])])) blocks.push({ kind: 'paragraph', text: `Note: ${note}` });

  blocks.push({ kind: 'heading', level: 2, text: 'Splits' });
  blocks.push({
    kind: 'table',
    header: ['protocol', 'train', 'val', 'test', 'sources shared between parts', 'manifest'],
    rows: Object.entries(splits).map(([p, s]) => [p, String(s.train.length), String(s.val.length), String(s.test.length), String(findSharedSources(s).length), `${p}/split.csv`]),
  });
  blocks.push({ kind: 'paragraph', text: `Seed ${seed} for splits, shuffles, augmentation and bootstrap. The manifests list every file of every part, so the run can be repeated exactly.` });

  blocks.push(...externalValidationBlocks(results, awaitingValidation, baselines));

  for (const p of protocols) {
    const ofProtocol = results.filter((r) => r.protocol === p);
    blocks.push({ kind: 'heading', level: 2, text: `Protocol "${p}"` });
    const series = ofProtocol.map((r) => ({ name: PAPER_RESULTS[r.modelName].label, fpr: r.roc.fpr, tpr: r.roc.tpr, auc: r.metrics.auc.estimate }));
    await fs.writeFile(path.join(options.out, p, 'roc.png'), plotRocPng(series, { title: `ROC, ${p} protocol (positive: fractured)` }));
    await fs.writeFile(path.join(options.out, p, 'roc.svg'), plotRoc(series, { title: `ROC, ${p} protocol (positive: fractured)` }));
    blocks.push({ kind: 'images', images: [{ src: `${p}/roc.png`, alt: `ROC curves, ${p} protocol` }] });
    for (const r of ofProtocol) {
      const label = PAPER_RESULTS[r.modelName].label;
      const artifacts = r.artifacts ?? `${p}/${r.modelName}`;
      await fs.writeFile(path.join(options.out, artifacts, 'training-curves.png'), plotTrainingCurvesPng(r.history, { title: `${label}: training curves (${p})` }));
      blocks.push({ kind: 'heading', level: 3, text: `${label} (${p})` });
      if (r.partial) {
        blocks.push({ kind: 'paragraph', text: `Still training when this report was assembled: the figures are of its last checkpoint, after ${r.epochs} of ${r.partial.plannedEpochs} epochs${r.partial.savedAt ? ` (saved ${r.partial.savedAt})` : ''}. Re-running the command continues the run, and the report is assembled again when it finishes.` });
      }
      blocks.push({
        kind: 'images',
        images: [
          { src: `${artifacts}/evaluation/confusion.png`, alt: `${label} confusion matrix` },
          { src: `${artifacts}/training-curves.png`, alt: `${label} training curves` },
        ],
      });
      blocks.push({ kind: 'paragraph', text: 'Grad-CAM (first two: true class fractured; last two: not fractured; each file name ends with the predicted class):' });
      blocks.push({ kind: 'images', images: r.gallery.map((src) => ({ src, alt: `Grad-CAM ${path.basename(src)}`, caption: path.basename(src, '.png') })) });
      if (r.mistakes.length > 0) {
        blocks.push({ kind: 'paragraph', text: 'Most confident mistakes:' });
        blocks.push({ kind: 'images', images: r.mistakes.map((m) => ({ src: m.thumbnail, alt: path.basename(m.path), caption: `${path.basename(m.path)}: ${m.label}, predicted ${m.predicted} (${(100 * m.confidence).toFixed(1)} %)` })) });
      }
    }
  }
  return blocks;
}

const fmtRate = (m: { estimate: number; lower: number; upper: number } | null | undefined) => (m ? `${m.estimate.toFixed(3)} (${m.lower.toFixed(3)}–${m.upper.toFixed(3)})` : '–');

/** The "External validation" section: each model trained on the study's data, tested on a dataset from elsewhere. */
function externalValidationBlocks(results: ModelRunResult[], awaitingValidation: ReadonlySet<ModelRunResult>, baselines: MetadataBaseline[]): ReportBlock[] {
  const validated = results.filter((r) => r.external);
  if (validated.length === 0) return [];
  const dataset = validated[0]!.external!.dataset;
  const { n, positives } = validated[0]!.external!;
  const rows = validated.map((r) => {
    const e = r.external!;
    const noImplant = e.subgroups.find((g) => g.group === 'implant: no');
    return [r.protocol, PAPER_RESULTS[r.modelName].label, budget(r), fmtRate(r.metrics.auc), `${e.n} (${e.positives})`, fmtRate(e.metrics.auc), fmtRate(e.metrics.recall), fmtRate(e.metrics.specificity), fmtRate(noImplant?.auc)];
  });
  for (const baseline of baselines) rows.push(['–', `baseline: ${baseline.name} only`, 'no training', '–', `${n} (${positives})`, fmtRate(baseline.auc), '–', '–', '–']);
  const blocks: ReportBlock[] = [
    { kind: 'heading', level: 2, text: `External validation on ${dataset}` },
    {
      kind: 'paragraph',
      text:
        `Each model above, trained on the study's data, labels every readable image of ${dataset}: radiographs from other hospitals, labelled by radiologists, that no model has seen. ` +
        "Sensitivity and specificity are at the model's own threshold (0.5 on the probability of fractured, the arg-max); intervals resample blocks of consecutive image ids. " +
        'AUC does not depend on a threshold and is the fairest single number here; 0.5 is chance.' +
        (baselines.length > 0 ? ' The baseline rows score each image by its metadata alone, with no image seen (see below).' : ''),
    },
    {
      kind: 'table',
      header: ['protocol', 'model', 'budget', 'in-dataset AUC', `${dataset} images (fractured)`, `${dataset} AUC`, 'sensitivity', 'specificity', 'AUC, implant images left out'],
      rows,
    },
    { kind: 'paragraph', text: externalReading(validated, dataset, baselines) },
  ];
  const groups = [...new Set(validated.flatMap((r) => r.external!.subgroups.map((g) => g.group)))].filter((g) => g !== 'all');
  if (groups.length > 0) {
    blocks.push({ kind: 'paragraph', text: `AUC by subgroup (an image showing two regions counts in both; "–": the subgroup lacks one of the classes):` });
    blocks.push({
      kind: 'table',
      header: ['protocol', 'model', ...groups.map((g) => `${g} (n, fractured)`)],
      rows: validated.map((r) => [
        r.protocol,
        PAPER_RESULTS[r.modelName].label,
        ...groups.map((g) => {
          const row = r.external!.subgroups.find((x) => x.group === g);
          return row ? `${fmtRate(row.auc)} (${row.n}, ${row.positives})` : '–';
        }),
      ]),
    });
  }
  const localised = validated.filter((r) => r.external!.localisation);
  if (localised.length > 0) {
    const first = localised[0]!.external!.localisation!;
    blocks.push({
      kind: 'paragraph',
      text:
        `Where the explanations point, on the ${first.n} fractured images with radiologists' boxes: the pointing game (the map's maximum inside a box or within ${describeTolerances(localised)} of one, at the model's input size) and the share of the map's mass inside the boxes, for the class "fractured". ` +
        `Occlusion covers a square a seventh of the input wide (32 px at 224 px), one square-width at a time (7 x 7 positions). ` +
        `The boxes cover ${(100 * first.boxAreaFraction).toFixed(1)} % of an image on average. A centred Gaussian and a flat map, scored the same way, are the baselines: a method that does not beat the centre prior is not explaining.`,
    });
    blocks.push({ kind: 'table', header: ['protocol', 'model', 'map', 'pointing game', 'mass in boxes'], rows: localisationRows(localised) });
  }
  const galleries = validated.filter((r) => (r.external!.gallery?.length ?? 0) > 0);
  if (galleries.length > 0) {
    blocks.push({
      kind: 'paragraph',
      text: `Grad-CAM for the class "fractured" on ${dataset} images, the radiologists' fracture boxes outlined in white (the same images for every model: fractured images with boxes, evenly spaced in id order, not chosen by result):`,
    });
    for (const r of galleries) {
      blocks.push({ kind: 'paragraph', text: `${PAPER_RESULTS[r.modelName].label} (${r.protocol}):` });
      blocks.push({ kind: 'images', images: r.external!.gallery!.map((src) => ({ src, alt: `${PAPER_RESULTS[r.modelName].label} Grad-CAM ${path.basename(src)}`, caption: path.basename(src, '.png') })) });
    }
  }
  const unfinished = results.filter((r) => !r.external && r.partial);
  if (unfinished.length > 0) {
    blocks.push({ kind: 'paragraph', text: `Validated externally once their training finishes: ${unfinished.map((r) => `${r.protocol}/${PAPER_RESULTS[r.modelName].label}`).join(', ')}.` });
  }
  const awaiting = results.filter((r) => !r.external && awaitingValidation.has(r));
  if (awaiting.length > 0) {
    blocks.push({ kind: 'paragraph', text: `Trained, not validated externally yet (their weights are kept; the command without --report-only validates them): ${awaiting.map((r) => `${r.protocol}/${PAPER_RESULTS[r.modelName].label}`).join(', ')}.` });
  }
  const skipped = results.filter((r) => !r.external && !r.partial && !awaitingValidation.has(r));
  if (skipped.length > 0) {
    blocks.push({ kind: 'paragraph', text: `Not validated externally (their model folders were not kept): ${skipped.map((r) => `${r.protocol}/${PAPER_RESULTS[r.modelName].label}`).join(', ')}.` });
  }
  return blocks;
}

const listText = (items: string[]) => new Intl.ListFormat('en', { type: 'conjunction' }).format(items);

/** A plain reading of an AUC interval against chance (0.5). */
export function readAuc(auc: { lower: number; upper: number }): string {
  if (auc.lower > 0.5) return 'better than chance';
  if (auc.upper < 0.5) return 'worse than chance (its scores run the wrong way)';
  return 'not distinguishable from chance';
}

/**
 * The pointing-game tolerances in words: one figure when every model used it, else the common one and the others
 * by model (a 300-px model is held to the same share of the image as a 224-px one, so its tolerance in pixels is larger).
 */
export function describeTolerances(localised: ModelRunResult[]): string {
  const byTolerance = new Map<number, string[]>();
  for (const r of localised) {
    const tolerance = r.external!.localisation!.tolerance;
    byTolerance.set(tolerance, [...(byTolerance.get(tolerance) ?? []), `${PAPER_RESULTS[r.modelName].label} (${r.protocol})`]);
  }
  const [common, ...others] = [...byTolerance.entries()].sort((a, b) => b[1].length - a[1].length);
  if (others.length === 0) return `${common![0]} px`;
  return `${common![0]} px (${others.map(([tolerance, labels]) => `${tolerance} px for ${labels.join(', ')}`).join('; ')}: the same share of a larger input)`;
}

/**
 * The localisation table: each model's maps, then the baselines once per distinct result. The baselines ignore the
 * model and its training, so models of the same input size share them; repeating them under every model would
 * only hide the comparison that matters.
 */
export function localisationRows(localised: ModelRunResult[]): string[][] {
  const rows = localised.flatMap((r) =>
    r.external!.localisation!.rows.filter((row) => !BASELINE_MAPS.includes(row.method)).map((row) => [r.protocol, PAPER_RESULTS[r.modelName].label, row.method, fmtRate(row.pointing), fmtRate(row.massInBoxes)]),
  );
  const baselines = new Map<string, { method: string; cells: string[]; labels: Set<string> }>();
  for (const r of localised) {
    for (const row of r.external!.localisation!.rows.filter((x) => BASELINE_MAPS.includes(x.method))) {
      const cells = [fmtRate(row.pointing), fmtRate(row.massInBoxes)];
      const key = [row.method, ...cells].join('|');
      const entry = baselines.get(key) ?? { method: row.method, cells, labels: new Set<string>() };
      entry.labels.add(PAPER_RESULTS[r.modelName].label);
      baselines.set(key, entry);
    }
  }
  const everyModel = new Set(localised.map((r) => PAPER_RESULTS[r.modelName].label));
  const sorted = [...baselines.values()].sort((a, b) => BASELINE_MAPS.indexOf(a.method) - BASELINE_MAPS.indexOf(b.method));
  for (const { method, cells, labels } of sorted) {
    const shared = sorted.filter((other) => other.method === method).length === 1 && labels.size === everyModel.size;
    rows.push(['–', shared ? 'baseline, every model' : `baseline for ${listText([...labels])}`, method, ...cells]);
  }
  return rows;
}

/** A run's name in the reading: "MobileNetV2 (paper)". */
const runLabel = (r: ModelRunResult) => `${PAPER_RESULTS[r.modelName].label} (${r.protocol})`;
const percent = (rate: number) => `${(100 * rate).toFixed(0)} %`;

/**
 * What the external numbers mean, in words computed from them (so a re-assembled report cannot contradict its
 * table): the runs grouped by what their AUC interval says, the best one's operating point, and whether any
 * explanation beats the centre prior. Per-run figures are in the tables; repeating each one here would bury the reading.
 */
export function externalReading(validated: ModelRunResult[], dataset: string, baselines: MetadataBaseline[] = []): string {
  const parts = [
    "What this means. A model can score high on the study's test set by recognising the rotated near-copies of its about 190 radiographs (paper protocol) or the look of that one collection (both protocols); " +
      `${dataset} asks whether it detects fractures on radiographs from elsewhere.`,
  ];
  const inDataset = validated.map((r) => r.metrics.auc?.estimate).filter((x): x is number => x !== undefined);
  const verdicts = new Map<string, ModelRunResult[]>();
  for (const r of validated) {
    const verdict = readAuc(r.external!.metrics.auc!);
    verdicts.set(verdict, [...(verdicts.get(verdict) ?? []), r]);
  }
  const verdictOrder = (verdict: string) => ['better', 'not', 'worse'].findIndex((start) => verdict.startsWith(start));
  const byVerdict = [...verdicts.entries()].sort((a, b) => verdictOrder(a[0]) - verdictOrder(b[0])).map(([verdict, runs]) => {
    const ordered = [...runs].sort((a, b) => b.external!.metrics.auc!.estimate - a.external!.metrics.auc!.estimate);
    return `${verdict}: ${listText(ordered.map((r) => `${runLabel(r)} ${r.external!.metrics.auc!.estimate.toFixed(3)}`))}`;
  });
  const range = inDataset.length > 0 ? ` (against ${Math.min(...inDataset).toFixed(3)}–${Math.max(...inDataset).toFixed(3)} on the study's test set)` : '';
  parts.push(`AUC on ${dataset}${range}: ${byVerdict.join('; ')}.`);
  const region = baselines.find((b) => b.name === 'region');
  if (region) {
    const above = validated.filter((r) => r.external!.metrics.auc!.lower > region.auc.estimate);
    const withImplant = baselines.find((b) => b.name === 'region and implant');
    parts.push(
      `A score that knows only each image's body region (the share of fractured images among those of its region, taken from these very images, so an upper bound) reaches AUC ${fmtRate(region.auc)}` +
        (withImplant ? `, and ${fmtRate(withImplant.auc)} when it also knows whether an implant shows` : '') +
        `: a model can reach that much by telling a hand from a knee, without seeing a fracture. ` +
        (above.length > 0
          ? `Above the region-only score (the interval's lower end above its AUC): ${listText(above.map(runLabel))}.`
          : 'No model\'s AUC interval lies above the region-only score\'s AUC.'),
    );
  }
  const best = [...validated].sort((a, b) => b.external!.metrics.auc!.estimate - a.external!.metrics.auc!.estimate)[0]!;
  const { recall, specificity } = best.external!.metrics;
  if (validated.length > 1 && recall && specificity) {
    parts.push(
      `The best, ${runLabel(best)}, finds ${percent(recall.estimate)} of the fractures at its own threshold and clears ${percent(specificity.estimate)} of the radiographs without one` +
        (best.external!.metrics.auc!.upper < 0.7 ? '; with its AUC interval below 0.7, no threshold would separate the two classes well.' : '.'),
    );
  }
  if (dataset === 'fracatlas') {
    const card = getModelCard('fracatlas-mobilenetv2');
    parts.push(
      `For scale: \`fracatlas-mobilenetv2\` from @fracture/pretrained, trained on FracAtlas's own training blocks, reaches AUC ${fmtRate(card.metrics.test.auc)} on its held-out test blocks ` +
        `(${card.metrics.test.n} images, a different and smaller test set than the ${validated[0]!.external!.n} here, so the two are comparable in kind, not exactly).`,
    );
  }
  const comparisons = validated.flatMap((r) => {
    const rows = r.external!.localisation?.rows ?? [];
    const prior = rows.find((row) => row.method === 'centre prior')?.pointing;
    const maps = rows.filter((row) => !BASELINE_MAPS.includes(row.method) && row.pointing);
    return prior && maps.length > 0 ? [{ run: r, prior, maps }] : [];
  });
  if (comparisons.length > 0) {
    const priors = [...new Set(comparisons.map((c) => percent(c.prior.estimate)))];
    const mapText = comparisons.map((c) => `${runLabel(c.run)} ${c.maps.map((row) => `${row.method} ${percent(row.pointing!.estimate)}`).join(', ')}` + (priors.length > 1 ? ` (prior ${percent(c.prior.estimate)})` : ''));
    const beating = comparisons.flatMap((c) => c.maps.filter((row) => row.pointing!.lower > c.prior.estimate).map((row) => `${runLabel(c.run)}'s ${row.method}`));
    parts.push(
      `A centred blob that ignores the image points at the fracture ${priors.length === 1 ? `${priors[0]} of the time` : 'as often as the figure after each model'}; the models' maps do so ${mapText.join('; ')}. ` +
        (beating.length > 0
          ? `Beating the prior (the interval's lower end above it): ${listText(beating)}; every other map does not show where the fracture is.`
          : 'No map clearly beats the prior, so these heatmaps do not show where the fracture is.'),
    );
  }
  return parts.join(' ');
}
