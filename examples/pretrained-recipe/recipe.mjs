#!/usr/bin/env node
// The recipe of @fracture/pretrained's shipped model: MobileNetV2 from ImageNet weights, fine-tuned on FracAtlas.
//   node examples/pretrained-recipe/recipe.mjs                 # all phases; a re-run resumes where it stopped
//   node examples/pretrained-recipe/recipe.mjs --phase train   # only the long part
//   node examples/pretrained-recipe/recipe.mjs --epochs 8      # stop after 8 of the schedule's 14 epochs
//   --note 'text' puts a circumstance of the run (other load on the machine, say) into the card.
// Phases: `train` (checkpoint every epoch, the best one by validation AUC kept), then `finalize` (temperature
// and threshold fitted on validation, then the untouched test part evaluated once, the card written and the
// weights exported into packages/pretrained/models/<name>).
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  colorJitter,
  compose,
  createClassBalancedLoader,
  randomFlip,
  randomResizedCrop,
  randomRotation,
  readSplitManifest,
  scanImageFolder,
  splitDataset,
  writeSplitManifest,
} from '@fracture/preprocess';
import { createModel, loadStateDict, readSafetensors } from '@fracture/models';
import { historyWriter, lrSchedule, MID_EPOCH_CHECKPOINT, modelCheckpoint, predictBatches, progressLogger, train } from '@fracture/train';
import { rocAuc } from '@fracture/metrics';
import { createBatchLoader } from '@fracture/preprocess';
import { defaultPreparation, useEngine, WASM_MICRO_BATCH } from '@fracture/cli';
import { finalizeRecipe } from './finalize.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '../..');

/** Every choice of the shipped model, in one place: the card prints this object. */
export const RECIPE = {
  name: 'fracatlas-mobilenetv2',
  architecture: 'mobilenetv2',
  initialWeights: 'torchvision MobileNet_V2_Weights.IMAGENET1K_V1 (features), head new',
  inputSize: 224,
  channels: 3,
  split: { protocol: 'blocks', idBlockSize: 20, fractions: [0.65, 0.15, 0.2], seed: 0 },
  // Per epoch: every fractured training image and twice as many not-fractured ones, redrawn each epoch.
  negativesPerPositive: 2,
  // The schedule's length (the cosine decays over it); `--epochs n` stops after n of them, as a stated shorter budget.
  epochs: 14,
  batchSize: 32,
  optimizer: { type: 'adam', lr: 1e-3, weightDecay: 1e-4, decoupled: true },
  // One epoch with only the new head trainable, then everything at a lower rate on a cosine decay.
  fineTune: { headEpochs: 1, unfreezeLr: 3e-4 },
  augmentation: 'RandomResizedCrop(scale 0.7-1), horizontal flip, rotation ±15° (bilinear), brightness/contrast ±0.25',
  selection: 'the epoch with the best validation AUC',
  targetSensitivity: 0.9,
  seed: 0,
};

export function augmentation(inputSize) {
  return compose([
    (x, rng) => randomResizedCrop(x, { size: inputSize, scale: [0.7, 1], seed: rng }),
    (x, rng) => randomFlip(x, { horizontal: 0.5, seed: rng }),
    (x, rng) => randomRotation(x, { degrees: 15, seed: rng }),
    (x, rng) => colorJitter(x, { brightness: 0.25, contrast: 0.25, seed: rng }),
  ]);
}

/** Scans FracAtlas and splits it by blocks of consecutive ids, or re-reads the split an earlier run wrote. */
export async function recipeSplit(dataDir, out, recipe = RECIPE) {
  const scan = await scanImageFolder(dataDir, { idBlockSize: recipe.split.idBlockSize });
  if (scan.layout !== 'fracatlas') throw new Error(`recipe: ${dataDir} is not a FracAtlas folder (found the ${scan.layout} layout)`);
  const manifest = path.join(out, 'split.csv');
  let split;
  if (existsSync(manifest)) {
    // The manifest fixes the parts; the scan supplies each item's metadata and boxes.
    const byPath = new Map(scan.items.map((item) => [item.path, item]));
    const parts = await readSplitManifest(manifest, { root: dataDir });
    split = Object.fromEntries(Object.entries(parts).map(([part, items]) => [part, items.map((item) => ({ ...byPath.get(item.path), split: part }))]));
  } else {
    split = splitDataset(scan.items, { protocol: 'blocks', seed: recipe.split.seed, fractions: recipe.split.fractions });
    await fs.mkdir(out, { recursive: true });
    await writeSplitManifest(manifest, split, { root: dataDir });
  }
  return { scan, split };
}

/** One validation pass per epoch giving loss, accuracy and AUC (the trainer's own pass would give only the first two). */
function validationCallback(model, valLoader) {
  return {
    name: 'validation',
    // Before modelCheckpoint (100), so that `best` can be chosen by AUC.
    order: 50,
    async onEpochEnd(logs) {
      const started = Date.now();
      const { labels, probabilities } = await predictBatches(model, valLoader);
      const n = labels.length;
      logs.val_loss = -labels.reduce((sum, label, i) => sum + Math.log(Math.max(probabilities[i][label], 1e-12)), 0) / n;
      logs.val_acc = labels.filter((label, i) => probabilities[i][label] >= 0.5).length / n;
      logs.val_auc = rocAuc(labels, probabilities.map((p) => p[0]), { positiveLabel: 0 });
      logs.val_seconds = (Date.now() - started) / 1000;
    },
  };
}

export async function trainPhase({ dataDir, weights, out, cacheDir, recipe = RECIPE, epochs = recipe.epochs, log = console.error }) {
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > recipe.epochs) throw new Error(`recipe: --epochs must be an integer in [1, ${recipe.epochs}], got ${epochs}`);
  const { split } = await recipeSplit(dataDir, out, recipe);
  const doneFile = path.join(out, 'train-done.json');
  if (existsSync(doneFile)) {
    const done = JSON.parse(await fs.readFile(doneFile, 'utf8'));
    if (done.epochs >= epochs) {
      log(`recipe: training already finished (${doneFile})`);
      return done;
    }
  }
  const engine = await useEngine('auto');
  const preparation = defaultPreparation(recipe.architecture, recipe.channels, recipe.inputSize);
  const model = createModel(recipe.architecture, { inputSize: recipe.inputSize, channels: recipe.channels, seed: recipe.seed });
  try {
    const report = loadStateDict(model, readSafetensors(new Uint8Array(await fs.readFile(weights))), { strict: false });
    log(`recipe: ImageNet weights ${weights}: ${report.missing.length} missing (the new head), ${report.unexpected.length} unexpected`);
    const positives = split.train.filter((item) => item.label === 0).length;
    const loaderBase = { imageSize: recipe.inputSize, channels: recipe.channels, numClasses: 2, mean: preparation.mean, std: preparation.std, cacheDir, seed: recipe.seed };
    const trainLoader = createClassBalancedLoader(split.train, {
      ...loaderBase,
      batchSize: recipe.batchSize,
      perEpoch: { 0: positives, 1: positives * recipe.negativesPerPositive },
      transform: augmentation(recipe.inputSize),
    });
    const valLoader = createBatchLoader(split.val, { ...loaderBase, batchSize: 16 });
    log(`recipe: ${split.train.length} training images (${positives} fractured), ${trainLoader.size} per epoch; ${split.val.length} validation; ${split.test.length} test (untouched until finalize); backend ${engine.name}`);
    const checkpoints = path.join(out, 'checkpoints');
    const result = await train(model, trainLoader, {
      epochs,
      batchSize: recipe.batchSize,
      optimizer: recipe.optimizer,
      fineTune: recipe.fineTune,
      callbacks: [
        validationCallback(model, valLoader),
        lrSchedule.cosine({ tMax: recipe.epochs }),
        // every 10 minutes inside an epoch too, so a stop loses minutes, not an epoch
        modelCheckpoint({ dir: checkpoints, monitor: 'val_auc', mode: 'max', everySeconds: 600 }),
        historyWriter({ csv: path.join(out, 'history.csv'), json: path.join(out, 'history.json') }),
        progressLogger(),
      ],
      seed: recipe.seed,
      backend: 'current',
      microBatchSize: engine.name === 'wasm' ? WASM_MICRO_BATCH[recipe.architecture] : undefined,
      resumeFrom: existsSync(path.join(checkpoints, 'last')) || existsSync(path.join(checkpoints, MID_EPOCH_CHECKPOINT)) ? checkpoints : undefined,
    });
    const best = result.history.reduce((a, b) => ((b.val_auc ?? -1) > (a.val_auc ?? -1) ? b : a));
    const summary = {
      epochs: result.history.length,
      scheduleEpochs: recipe.epochs,
      bestEpoch: best.epoch,
      bestValAuc: best.val_auc,
      trainSeconds: result.history.reduce((a, h) => a + h.seconds, 0),
      backend: engine.name,
      threads: Number(process.env.FRACTURE_WASM_THREADS ?? 1),
    };
    await fs.writeFile(doneFile, JSON.stringify(summary, null, 2) + '\n');
    return summary;
  } finally {
    model.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: path.resolve(repo, '../shared/data/fracatlas') },
      weights: { type: 'string', default: path.resolve(repo, '../shared/weights/mobilenet_v2-imagenet-features.safetensors') },
      out: { type: 'string', default: path.join(repo, 'fracture-runs/pretrained') },
      'cache-dir': { type: 'string', default: path.join(repo, '.fracture-cache') },
      export: { type: 'string', default: path.join(repo, 'packages/pretrained/models') },
      phase: { type: 'string', default: 'all' },
      epochs: { type: 'string' },
      note: { type: 'string' },
    },
  });
  const epochs = values.epochs === undefined ? RECIPE.epochs : Number(values.epochs);
  // Two threads unless the caller chose: the recipe's budget is stated for two cores.
  process.env.FRACTURE_WASM_THREADS ??= '2';
  const started = Date.now();
  if (values.phase === 'all' || values.phase === 'train') {
    const summary = await trainPhase({ dataDir: values.data, weights: values.weights, out: values.out, cacheDir: values['cache-dir'], epochs });
    console.error(`recipe: trained ${summary.epochs} epochs; best validation AUC ${summary.bestValAuc?.toFixed(4)} at epoch ${summary.bestEpoch + 1}`);
  }
  if (values.phase === 'all' || values.phase === 'finalize') {
    const card = await finalizeRecipe({ dataDir: values.data, out: values.out, exportDir: values.export, cacheDir: values['cache-dir'], recipe: RECIPE, note: values.note });
    console.error(`recipe: test AUC ${card.metrics.test.auc.estimate.toFixed(3)}; model in ${path.join(values.export, RECIPE.name)}`);
  }
  console.error(`recipe: ${((Date.now() - started) / 60000).toFixed(1)} min`);
}
