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
import type { DatasetSplit, SplitProtocol } from '@fracture/preprocess';
import { createModel, getModelSpec, loadStateDict, readSafetensors, readTorchCheckpoint } from '@fracture/models';
import type { ModelName } from '@fracture/models';
import { historyWriter, modelCheckpoint, paperPreset, progressLogger, train } from '@fracture/train';
import type { EpochLogs, TrainBackend, TrainCallback } from '@fracture/train';
import { useEngine } from './engine';
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
}

/** Converts the CLI's protocol names to @fracture/preprocess's. */
export function toSplitProtocol(protocol: CliProtocol): SplitProtocol {
  return protocol === 'kaggle' ? 'given' : protocol;
}

/** Scans and splits a dataset folder (or reuses `split.csv` of an earlier run in `out`). */
export async function prepareSplit(dataDir: string, protocol: CliProtocol, seed: number, manifest?: string): Promise<DatasetSplit> {
  if (manifest && (await exists(manifest))) return readSplitManifest(manifest, { root: dataDir });
  const scan = await scanImageFolder(dataDir);
  if (scan.items.length === 0) throw new Error(`prepareSplit: no images found under ${dataDir}`);
  return splitDataset(scan.items, { protocol: toSplitProtocol(protocol), seed });
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
  await fs.mkdir(options.out, { recursive: true });
  const manifestPath = path.join(options.out, 'split.csv');

  let split = options.split;
  if (!split) {
    if (!options.dataDir) throw new Error('runTraining: pass dataDir or split');
    split = await prepareSplit(options.dataDir, protocol, seed, manifestPath);
  }
  if (options.dataDir) await writeSplitManifest(manifestPath, split, { root: options.dataDir });

  const engine = await useEngine(options.backend);
  const spec = getModelSpec(options.modelName);
  const preset = paperPreset(options.modelName, { variant: options.variant ?? 'code' });
  const channels = options.channels ?? 3;
  const preparation = defaultPreparation(options.modelName, channels, options.inputSize ?? spec.inputSize);
  const epochs = options.epochs ?? preset.epochs;
  const batchSize = options.batchSize ?? preset.batchSize;
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
      modelCheckpoint({ dir: path.join(options.out, 'checkpoints') }),
      historyWriter({ csv: path.join(options.out, 'history.csv'), json: path.join(options.out, 'history.json') }),
    ];
    if (options.progress !== null) callbacks.push(options.progress ?? progressLogger());
    const resumeFrom = await existingCheckpoint(path.join(options.out, 'checkpoints'));
    if (resumeFrom) log(`resuming ${options.modelName} from ${resumeFrom}`);

    // Batch norm normalises each micro-batch on its own, so the size is part of what a run did.
    const microBatchSize = options.microBatchSize ?? (engine.name === 'wasm' ? Math.min(batchSize, WASM_MICRO_BATCH[options.modelName]) : undefined);
    const result = await train(model, trainLoader, {
      epochs,
      batchSize,
      optimizer: { ...preset.optimizer, lr: options.lr ?? preset.optimizer.lr, weightDecay: options.weightDecay ?? preset.optimizer.weightDecay },
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
    if (trainLoader.failures.length > 0) log(`${trainLoader.failures.length} training images could not be read and were skipped (first: ${trainLoader.failures[0].path}: ${trainLoader.failures[0].reason})`);

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
        optimizer: { ...preset.optimizer, lr: options.lr ?? preset.optimizer.lr },
        trainImages: trainItems.length,
        fullTrainImages: split.train.length,
        weights: options.weights ?? null,
        backend: result.backend,
        dataDir: options.dataDir ?? null,
        presetSource: preset.source,
      },
    });
    const seconds = (Date.now() - started) / 1000;
    await fs.writeFile(path.join(options.out, 'run.json'), JSON.stringify({ ...info, seconds, stopReason: result.stopReason }, null, 2) + '\n');
    return { modelDir, info, history: result.history, split, seconds, backend: result.backend, weightsReport };
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

async function existingCheckpoint(dir: string): Promise<string | undefined> {
  return (await exists(path.join(dir, 'last'))) ? dir : undefined;
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
