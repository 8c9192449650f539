import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  CLASS_NAMES,
  createBatchLoader,
  readSplitManifest,
  scanImageFolder,
  splitDataset,
  stratifiedSubset,
  writeSplitManifest,
} from '@fracture/preprocess';
import type { DatasetSplit, SkippedFile, SplitProtocol } from '@fracture/preprocess';
import { createModel, getModelSpec, loadStateDict, readSafetensors, readTorchCheckpoint } from '@fracture/models';
import type { ModelName } from '@fracture/models';
import {
  historyWriter,
  MID_EPOCH_CHECKPOINT,
  modelCheckpoint,
  paperPreset,
  progressLogger,
  readCheckpointState,
  removeStaleCheckpointFiles,
  train,
} from '@fracture/train';
import type { EpochLogs, TrainBackend, TrainCallback } from '@fracture/train';
import { checkClassCounts, checkClassFolders } from './dataset-classes';
import { useEngine } from './engine';
import { acquireRunLock } from './run-lock';
import { checkRunSettings } from './run-settings';
import { sha256File } from './file-sha256';
import { writeUnreadableReport } from './unreadable-report';
import { writeFileNamed } from './write-file-named';
import type { UnreadableImage } from './unreadable-report';
import { studyAugmentation } from './study-augmentation';
import { defaultPreparation, saveTrainedModel } from './trained-model';
import { inferenceBatchSize, WASM_MICRO_BATCH } from './wasm-batch-sizes';
import type { TrainedModelInfo } from './trained-model';

/** `kaggle` is the dataset's own train/val folders (`given` in @fracture/preprocess); `blocks` groups consecutive ids (FracAtlas). */
export type CliProtocol = 'paper' | 'grouped' | 'kaggle' | 'blocks';

export interface TrainRunOptions {
  modelName: ModelName;
  /** Dataset root (Kaggle or ImageFolder layout). Either this or `split`. */
  dataDir?: string;
  /** An existing split (for example read from a manifest). */
  split?: DatasetSplit;
  protocol?: CliProtocol;
  seed?: number;
  /** Output folder: `model/`, `checkpoints/`, `split.csv`, `history.csv`, `history.json`, `run.json`. */
  out: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  /** ImageNet (or other) weights: `.safetensors` or torchvision `.pth`; the head is left out when its shape differs. */
  weights?: string;
  weightsSource?: 'torchvision' | 'timm';
  inputSize?: number;
  channels?: 1 | 3;
  backend?: TrainBackend;
  /** Micro-batch size for gradient accumulation (big models on the wasm heap). */
  microBatchSize?: number;
  /** Resized-image cache shared between runs. */
  cacheDir?: string;
  /** Use at most this many training images, a class-stratified subset spread over every source (a reduced budget, stated in reports). */
  maxTrainImages?: number;
  /** Paper preset variant: the notebook's settings (`code`, default) or the text's. */
  variant?: 'code' | 'text';
  /**
   * Checkpoints between optimiser steps, so a stopped run loses little of an epoch (the study's big models take
   * 20-30 minutes per epoch here). Default: every `FRACTURE_CHECKPOINT_SECONDS` seconds of training, else 600;
   * `false` (or the variable set to 0): at epoch ends only.
   */
  midEpochCheckpoint?: { everySeconds?: number; everySteps?: number } | false;
  /** Where progress goes; default stderr. */
  progress?: TrainCallback | null;
  log?: (line: string) => void;
}

export interface TrainRunResult {
  modelDir: string;
  info: TrainedModelInfo;
  history: EpochLogs[];
  split: DatasetSplit;
  seconds: number;
  backend: string;
  weightsReport?: { missing: string[]; unexpected: string[]; mismatched: string[] };
  /** Images left out because they could not be read (also in `unreadable-images.csv` in `out`). */
  unreadable: UnreadableImage[];
}

/** Converts the CLI's protocol names to @fracture/preprocess's. */
export function toSplitProtocol(protocol: CliProtocol): SplitProtocol {
  return protocol === 'kaggle' ? 'given' : protocol;
}

/** Scans and splits a dataset folder (or reuses `split.csv` of an earlier run in `out`). */
export async function prepareSplit(dataDir: string, protocol: CliProtocol, seed: number, manifest?: string): Promise<DatasetSplit> {
  return (await scanAndSplit(dataDir, protocol, seed, manifest)).split;
}

/**
 * `prepareSplit` that also returns the images the scan found unreadable. Refuses class folders other than the
 * study's two and a class without readable images, before anything is written.
 */
export async function scanAndSplit(
  dataDir: string,
  protocol: CliProtocol,
  seed: number,
  manifest?: string,
  fn = 'prepareSplit',
): Promise<{ split: DatasetSplit; unreadable: SkippedFile[] }> {
  if (manifest && (await exists(manifest))) return { split: await readSplitManifest(manifest, { root: dataDir }), unreadable: [] };
  const scan = await scanImageFolder(dataDir);
  checkClassFolders(scan.classNames, scan.root, fn);
  if (scan.items.length === 0) throw new Error(`${fn}: no images found under ${dataDir}`);
  checkClassCounts(scan.items, 'readable', scan.root, fn);
  return { split: splitDataset(scan.items, { protocol: toSplitProtocol(protocol), seed }), unreadable: scan.unreadable };
}

/**
 * Trains one model as the study did (its preset, unless overridden), with checkpoints every epoch
 * so an interrupted run resumes, and writes a self-describing model folder.
 */
export async function runTraining(options: TrainRunOptions): Promise<TrainRunResult> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const seed = options.seed ?? 0;
  const protocol = options.protocol ?? 'grouped';
  // Two runs writing one folder crash each other's checkpoints or silently replace each other's model.
  const lock = await acquireRunLock(options.out, { fn: 'runTraining' });
  try {
    if (lock.replacedStale) log(`runTraining: took over the lock of pid ${lock.replacedStale.pid} (started ${lock.replacedStale.startedAt}), which is no longer running`);
    return await trainLocked(options, { started, log, seed, protocol });
  } finally {
    await lock.release();
  }
}

async function trainLocked(
  options: TrainRunOptions,
  { started, log, seed, protocol }: { started: number; log: (line: string) => void; seed: number; protocol: CliProtocol },
): Promise<TrainRunResult> {
  const manifestPath = path.join(options.out, 'split.csv');
  const checkpointDir = path.join(options.out, 'checkpoints');
  await removeStaleCheckpointFiles(checkpointDir);
  const resumeFrom = await existingCheckpoint(checkpointDir);
  const midEpochCheckpoint = resolveMidEpochCheckpoint(options.midEpochCheckpoint);

  const engine = await useEngine(options.backend);
  const spec = getModelSpec(options.modelName);
  const preset = paperPreset(options.modelName, { variant: options.variant ?? 'code' });
  const channels = options.channels ?? 3;
  const preparation = defaultPreparation(options.modelName, channels, options.inputSize ?? spec.inputSize);
  const epochs = options.epochs ?? preset.epochs;
  const batchSize = options.batchSize ?? preset.batchSize;
  const lr = options.lr ?? preset.optimizer.lr;
  const weightDecay = options.weightDecay ?? preset.optimizer.weightDecay;
  // Batch norm normalises each micro-batch on its own, so the size is part of what a run did.
  const microBatchSize = options.microBatchSize ?? (engine.name === 'wasm' ? Math.min(batchSize, WASM_MICRO_BATCH[options.modelName]) : undefined);
  // The file's name and content identify the initial weights; its path is this machine's business.
  const weightsSha256 = options.weights ? await sha256File(options.weights, 'runTraining') : null;
  const settings = {
    modelName: options.modelName,
    protocol,
    seed,
    batchSize,
    lr,
    weightDecay: weightDecay ?? null,
    inputSize: preparation.inputSize,
    channels,
    microBatchSize: microBatchSize ?? batchSize,
    weights: options.weights ? path.basename(options.weights) : null,
    weightsSha256,
    maxTrainImages: options.maxTrainImages ?? null,
    variant: options.variant ?? 'code',
  };
  // Checked before the split is touched, so a refused resume leaves the folder as it was.
  if (resumeFrom && (await checkRunSettings(options.out, settings, true, 'runTraining')) === 'unrecorded') {
    log(`runTraining: ${options.out} predates run-settings.json: cannot check that this resume uses the original settings`);
  }

  let split = options.split;
  let unreadable: UnreadableImage[] = [];
  if (!split) {
    if (!options.dataDir) throw new Error('runTraining: pass dataDir or split');
    const scanned = await scanAndSplit(options.dataDir, protocol, seed, manifestPath, 'runTraining');
    split = scanned.split;
    unreadable = scanned.unreadable.map((u) => ({ ...u, stage: 'scan' as const }));
  }
  const root = options.dataDir ?? options.out;
  checkClassCounts(split.train, 'training', root, 'runTraining');
  try {
    checkClassCounts(split.val, 'validation', root, 'runTraining');
  } catch (error) {
    // Small but real datasets can land one class in a small validation part; the scores then say less, not nothing.
    log(`warning: ${(error as Error).message.replace(/; training needs.*$/, '')}: validation accuracy will not reflect both classes`);
  }
  if (options.dataDir) await writeSplitManifest(manifestPath, split, { root: options.dataDir });
  if (!resumeFrom) await checkRunSettings(options.out, settings, false, 'runTraining');

  const trainItems = options.maxTrainImages ? stratifiedSubset(split.train, options.maxTrainImages) : split.train;

  const model = createModel(options.modelName, { inputSize: preparation.inputSize, channels, seed });
  let weightsReport: TrainRunResult['weightsReport'];
  try {
    if (options.weights) weightsReport = await loadWeightsFile(model, options.weights, options.weightsSource ?? 'torchvision', log);

    const loaderBase = {
      imageSize: preparation.inputSize,
      channels,
      batchSize,
      numClasses: CLASS_NAMES.length,
      mean: preparation.mean,
      std: preparation.std,
      cacheDir: options.cacheDir,
      seed,
    };
    const trainLoader = createBatchLoader(trainItems, { ...loaderBase, shuffle: true, transform: studyAugmentation(options.modelName, preparation.inputSize) });
    const valLoader = split.val.length > 0 ? createBatchLoader(split.val, { ...loaderBase, batchSize: inferenceBatchSize(options.modelName, engine.name, batchSize) }) : undefined;

    const callbacks: TrainCallback[] = [
      modelCheckpoint({ dir: checkpointDir, ...midEpochCheckpoint }),
      historyWriter({ csv: path.join(options.out, 'history.csv'), json: path.join(options.out, 'history.json') }),
    ];
    if (options.progress !== null) callbacks.push(options.progress ?? progressLogger());
    if (resumeFrom) log(await describeResume(options.modelName, resumeFrom, trainLoader.numBatches));

    const result = await train(model, trainLoader, {
      epochs,
      batchSize,
      optimizer: { ...preset.optimizer, lr, weightDecay },
      earlyStopping: preset.earlyStopping,
      keep: preset.keep,
      validationData: valLoader,
      callbacks,
      seed,
      // useEngine chose the engine above; train must not switch it (the model's tensors live there).
      backend: 'current',
      microBatchSize,
      resumeFrom,
    });
    const seen = new Set(unreadable.map((u) => u.path));
    for (const failure of [...trainLoader.failures, ...(valLoader?.failures ?? [])]) {
      if (!seen.has(failure.path)) unreadable.push({ ...failure, stage: 'decode' });
      seen.add(failure.path);
    }
    await writeUnreadableReport(options.out, unreadable, log);

    const modelDir = path.join(options.out, 'model');
    const info = await saveTrainedModel(modelDir, model, {
      modelName: options.modelName,
      channels,
      classNames: [...CLASS_NAMES],
      positiveClass: CLASS_NAMES[0],
      ...preparation,
      training: {
        protocol,
        seed,
        epochs: result.epochs,
        batchSize,
        microBatchSize: microBatchSize ?? batchSize,
        optimizer: { ...preset.optimizer, lr, weightDecay },
        finalLr: result.history[result.history.length - 1]?.lr ?? lr,
        resumed: Boolean(resumeFrom),
        trainImages: trainItems.length,
        fullTrainImages: split.train.length,
        unreadableImages: unreadable.length,
        weights: options.weights ? path.basename(options.weights) : null,
        weightsSha256,
        backend: result.backend,
        dataDir: options.dataDir ?? null,
        presetSource: preset.source,
      },
    });
    const seconds = (Date.now() - started) / 1000;
    await writeFileNamed(path.join(options.out, 'run.json'), JSON.stringify({ ...info, seconds, stopReason: result.stopReason }, null, 2) + '\n', 'runTraining', { atomic: true });
    return { modelDir, info, history: result.history, split, seconds, backend: result.backend, weightsReport, unreadable };
  } finally {
    model.dispose();
  }
}

/** Whether a path exists (any error reading it counts as absent). */
export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/** Default seconds of training between mid-epoch checkpoints: at most ten minutes of work lost to a stop. */
export const DEFAULT_CHECKPOINT_SECONDS = 600;

function resolveMidEpochCheckpoint(option: TrainRunOptions['midEpochCheckpoint']): { everySeconds?: number; everySteps?: number } {
  if (option === false) return {};
  if (option !== undefined) return option;
  const fromEnv = process.env.FRACTURE_CHECKPOINT_SECONDS;
  if (fromEnv === undefined || fromEnv.trim() === '') return { everySeconds: DEFAULT_CHECKPOINT_SECONDS };
  const seconds = Number(fromEnv);
  if (!(Number.isFinite(seconds) && seconds >= 0)) {
    throw new Error(`runTraining: FRACTURE_CHECKPOINT_SECONDS must be a number of seconds >= 0 (0: checkpoints at epoch ends only), got '${fromEnv}'`);
  }
  return seconds === 0 ? {} : { everySeconds: seconds };
}

/** A stop during the first epoch leaves only a mid-epoch checkpoint: that is a run to resume too. */
async function existingCheckpoint(dir: string): Promise<string | undefined> {
  for (const name of ['last', MID_EPOCH_CHECKPOINT]) if (await exists(path.join(dir, name))) return dir;
  return undefined;
}

/** Where the resumed run continues, e.g. `resuming resnet18 from runs/x/checkpoints/mid-epoch: epoch 3 after batch 120 of 231`. */
async function describeResume(modelName: string, checkpointDir: string, numBatches: number): Promise<string> {
  const { dir, state } = await readCheckpointState(checkpointDir);
  const where = state.inEpoch
    ? `epoch ${state.inEpoch.epoch + 1} after batch ${state.inEpoch.batches} of ${numBatches}`
    : `after epoch ${state.epoch + 1}`;
  return `resuming ${modelName} from ${dir}: ${where}`;
}

async function loadWeightsFile(model: tfl.LayersModel, file: string, source: 'torchvision' | 'timm', log: (line: string) => void) {
  const bytes = new Uint8Array(await fs.readFile(file));
  const stateDict = /\.safetensors$/i.test(file) ? readSafetensors(bytes) : readTorchCheckpoint(bytes);
  const report = loadStateDict(model, stateDict, { source, strict: false });
  log(`loaded ${file}: ${report.missing.length} missing, ${report.unexpected.length} unexpected, ${report.mismatched.length} shape-mismatched keys`);
  return {
    missing: [...report.missing],
    unexpected: [...report.unexpected],
    mismatched: report.mismatched.map((m: string | { key: string }) => (typeof m === 'string' ? m : m.key)),
  };
}
