// The recipe's last phase: calibrate and choose the operating point on validation data, export the weights,
// then evaluate the untouched test part once and write the model card. Each step writes its result into
// `out`, and a re-run skips what is there.
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createBatchLoader } from '@fracture/preprocess';
import { createModel, quantizeWeightsToFloat16 } from '@fracture/models';
import { loadWeightsInto, predictBatches, readCheckpoint } from '@fracture/train';
import { fitTemperature, rocAuc, thresholdForSensitivity } from '@fracture/metrics';
import { createPredictor, defaultPreparation, measureLocalisation, predictItems, runEvaluation, saveTrainedModel, useEngine } from '@fracture/cli';
import { recipeSplit } from './recipe.mjs';

const FRACATLAS = {
  name: 'FracAtlas',
  licence: 'CC BY 4.0',
  citation:
    'Abedeen I., Rahman M. A., Prottyasha F. Z. et al., "FracAtlas: A Dataset for Fracture Classification, Localization and Segmentation of Musculoskeletal Radiographs", Scientific Data 10, 521 (2023), doi:10.1038/s41597-023-02432-4',
};

const estimate = (interval) => (interval ? { estimate: interval.estimate, lower: interval.lower, upper: interval.upper } : null);

async function readJson(file) {
  return JSON.parse(await fs.readFile(file, 'utf8'));
}

async function writeJson(file, value) {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(value, null, 2) + '\n');
}

/** Rewrites a saved model folder's weights as float16 (model.json's manifest and weights.bin). */
async function toFloat16(dir) {
  const modelJson = await readJson(path.join(dir, 'model.json'));
  const data = await fs.readFile(path.join(dir, 'weights.bin'));
  const specs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const { specs: quantized, weightData } = quantizeWeightsToFloat16(specs, data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  modelJson.weightsManifest = [{ paths: ['weights.bin'], weights: quantized }];
  await fs.writeFile(path.join(dir, 'weights.bin'), new Uint8Array(weightData));
  await writeJson(path.join(dir, 'model.json'), modelJson);
}

/** What the numbers say against the project's goal and the baselines, in words, for the card's limitations. */
function findings(metrics, subgroups, localisation, calibration) {
  const auc = metrics.auc;
  const lines = [
    `Test AUC ${auc.estimate.toFixed(3)} (${auc.lower.toFixed(3)}–${auc.upper.toFixed(3)}) ${auc.estimate >= 0.9 ? 'meets' : 'is below'} the 0.90 this project aims at on radiographs a model has not seen${auc.estimate >= 0.8 ? ' (0.80 is the floor below which it would not ship)' : ', and below the 0.80 floor for shipping'}.`,
    `The threshold reached ${(100 * calibration.validation.sensitivity).toFixed(0)} % sensitivity on the validation part and gives ${(100 * metrics.recall.estimate).toFixed(0)} % on the test part: the validation part holds few fractured images, so the operating point is uncertain; choose your own threshold from the probability if sensitivity matters most.`,
  ];
  const rows = subgroups.filter((g) => g.group.startsWith('region: ') && g.auc && g.positives >= 20);
  const weakest = rows.sort((a, b) => a.auc.estimate - b.auc.estimate)[0];
  if (weakest) lines.push(`Weakest on ${weakest.group.slice('region: '.length)} radiographs (AUC ${weakest.auc.estimate.toFixed(3)} on ${weakest.n} test images, ${weakest.positives} fractured).`);
  const prior = localisation.rows.find((r) => r.method === 'centre prior');
  const methods = localisation.rows.filter((r) => !['centre prior', 'uniform'].includes(r.method));
  const beaten = methods.filter((r) => r.pointing.estimate > prior.pointing.estimate);
  lines.push(
    beaten.length === methods.length
      ? `Its explanations point at the fracture more often than a centred Gaussian does (pointing game ${methods.map((r) => `${r.method} ${r.pointing.estimate.toFixed(2)}`).join(', ')} against ${prior.pointing.estimate.toFixed(2)}).`
      : `Its explanations do not localise the fracture: on the pointing game ${methods.filter((r) => !beaten.includes(r)).map((r) => `${r.method} (${r.pointing.estimate.toFixed(2)})`).join(', ')} ${methods.length - beaten.length === 1 ? 'does' : 'do'} not beat a centred Gaussian that ignores the image (${prior.pointing.estimate.toFixed(2)}). Do not read a heatmap as the fracture's location.`,
  );
  return lines;
}

export async function finalizeRecipe({ dataDir, out, exportDir, cacheDir, recipe, note, log = console.error }) {
  const { split } = await recipeSplit(dataDir, out, recipe);
  const engine = await useEngine('auto');
  const trainSummary = await readJson(path.join(out, 'train-done.json'));
  const modelDir = path.join(exportDir, recipe.name);
  const calibrationFile = path.join(out, 'calibration.json');
  const preparation = defaultPreparation(recipe.architecture, recipe.channels, recipe.inputSize);
  // The best epoch's checkpoint; the last one when there is none (runs before modelCheckpoint's 'max' mode was fixed).
  const shippedCheckpoint = existsSync(path.join(out, 'checkpoints', 'best', 'state.json')) ? 'best' : 'last';
  const history = await readJson(path.join(out, 'history.json'));
  const shippedEpoch = shippedCheckpoint === 'best' ? trainSummary.bestEpoch + 1 : history.length;
  const shippedAuc = history.find((epoch) => epoch.epoch === shippedEpoch)?.val_auc;

  // 1. Calibration and operating point, on validation data only.
  if (!existsSync(calibrationFile)) {
    const model = createModel(recipe.architecture, { inputSize: recipe.inputSize, channels: recipe.channels, seed: recipe.seed });
    try {
      const checkpoint = await readCheckpoint(path.join(out, 'checkpoints', shippedCheckpoint));
      loadWeightsInto(model, checkpoint.weights, 'finalize');
      const loader = createBatchLoader(split.val, { imageSize: recipe.inputSize, channels: recipe.channels, batchSize: 16, numClasses: 2, mean: preparation.mean, std: preparation.std, cacheDir });
      const { labels, probabilities } = await predictBatches(model, loader);
      const temperature = fitTemperature(labels, probabilities);
      // Fold 1/T into the head: softmax(W x / T + b / T) is softmax(z / T), so the shipped probabilities are calibrated.
      const head = model.layers[model.layers.length - 1];
      if (head.getWeights().length !== 2) throw new Error(`finalize: expected the last layer to be the dense head, got ${head.name}`);
      const [kernel, bias] = head.getWeights();
      const scaled = [tf.div(kernel, temperature), tf.div(bias, temperature)];
      head.setWeights(scaled);
      tf.dispose(scaled);
      const calibrated = (await predictBatches(model, loader)).probabilities;
      const scores = calibrated.map((p) => p[0]);
      const point = thresholdForSensitivity(labels, scores, recipe.targetSensitivity, { positiveLabel: 0 });
      const calibration = { temperature, threshold: point.threshold, validation: { sensitivity: point.sensitivity, specificity: point.specificity, auc: rocAuc(labels, scores, { positiveLabel: 0 }), n: labels.length } };
      log(`finalize: temperature ${temperature.toFixed(3)}, threshold ${point.threshold.toFixed(4)} (validation sensitivity ${point.sensitivity.toFixed(3)}, specificity ${point.specificity.toFixed(3)})`);

      // 2. Export: float32 first; float16 replaces it only when it changes nothing measurable on validation.
      await fs.rm(modelDir, { recursive: true, force: true });
      const info = {
        modelName: recipe.architecture,
        channels: recipe.channels,
        classNames: ['fractured', 'not fractured'],
        positiveClass: 'fractured',
        ...preparation,
        threshold: point.threshold,
        training: { recipe: recipe.name, data: 'FracAtlas', split: recipe.split, epochs: trainSummary.epochs, shippedEpoch, temperature },
      };
      await saveTrainedModel(modelDir, model, info);
      const full = await predictItems(modelDir, split.val, { cacheDir });
      await toFloat16(modelDir);
      const half = await predictItems(modelDir, split.val, { cacheDir });
      const maxDifference = Math.max(...full.probabilities.map((row, i) => Math.abs(row[0] - half.probabilities[i][0])));
      const flips = full.probabilities.filter((row, i) => row[0] >= point.threshold !== half.probabilities[i][0] >= point.threshold).length;
      const aucFull = rocAuc(full.labels, full.probabilities.map((p) => p[0]), { positiveLabel: 0 });
      const aucHalf = rocAuc(half.labels, half.probabilities.map((p) => p[0]), { positiveLabel: 0 });
      calibration.float16 = { maxProbabilityDifference: maxDifference, decisionsChanged: flips, aucFloat32: aucFull, aucFloat16: aucHalf };
      if (flips > 0 || Math.abs(aucFull - aucHalf) > 1e-4) {
        log(`finalize: float16 changed ${flips} decisions (AUC ${aucFull.toFixed(5)} -> ${aucHalf.toFixed(5)}); shipping float32`);
        await saveTrainedModel(modelDir, model, info);
        calibration.dtype = 'float32';
      } else {
        log(`finalize: float16 weights change probabilities by at most ${maxDifference.toExponential(2)} and no decision on validation; shipping float16`);
        calibration.dtype = 'float16';
      }
      await writeJson(calibrationFile, calibration);
    } finally {
      model.dispose();
    }
  }
  const calibration = await readJson(calibrationFile);
  // Training steps plus each epoch's validation pass, summed over the epochs (a resumed run counts its parts).
  const trainMinutes = history.reduce((sum, epoch) => sum + epoch.seconds + (epoch.val_seconds ?? 0), 0) / 60;

  // 3. The untouched test part, once, through the shipped files.
  const evaluationDir = path.join(out, 'test-evaluation');
  const evaluation = await runEvaluation({ modelDir, items: split.test, out: evaluationDir, name: recipe.name, seed: 0, nBoot: 1000, cacheDir });
  const m = evaluation.evaluation.metrics;
  log(`finalize: test AUC ${m.auc.estimate.toFixed(3)} (${m.auc.lower.toFixed(3)}-${m.auc.upper.toFixed(3)}), sensitivity ${m.recall.estimate.toFixed(3)}, specificity ${m.specificity.estimate.toFixed(3)}`);

  // 4. Where the explanations point, on the fractured test images with boxes.
  const localisationFile = path.join(out, 'test-localisation.json');
  if (!existsSync(localisationFile)) {
    const predictor = await createPredictor(modelDir);
    try {
      const result = await measureLocalisation(predictor, split.test, {
        onProgress: (done, total) => done % 10 === 0 && log(`finalize: localisation ${done}/${total}`),
      });
      await writeJson(localisationFile, { n: result.n, tolerance: result.tolerance, boxAreaFraction: result.boxAreaFraction, rows: result.rows, perImage: result.perImage });
    } finally {
      predictor.dispose();
    }
  }
  const localisation = await readJson(localisationFile);

  // 5. The card, and a fixed subset's predictions for the package's fast test.
  const weightsBytes = await fs.readFile(path.join(modelDir, 'weights.bin'));
  const countOf = (items, label) => items.filter((item) => item.label === label).length;
  const card = {
    name: recipe.name,
    summary: 'MobileNetV2 (ImageNet weights) fine-tuned on FracAtlas radiographs: fractured / not fractured, calibrated, with a validation-chosen operating point.',
    recommended: true,
    architecture: recipe.architecture,
    inputSize: recipe.inputSize,
    channels: recipe.channels,
    mean: preparation.mean,
    std: preparation.std,
    classNames: ['fractured', 'not fractured'],
    positiveClass: 'fractured',
    gradCamLayer: preparation.gradCamLayer,
    threshold: {
      value: calibration.threshold,
      rule: `the highest threshold reaching ${recipe.targetSensitivity * 100} % sensitivity on the validation part (${calibration.validation.n} images), after calibration`,
      validation: { sensitivity: calibration.validation.sensitivity, specificity: calibration.validation.specificity },
    },
    temperature: calibration.temperature,
    weights: {
      dtype: calibration.dtype,
      bytes: weightsBytes.length,
      sha256: createHash('sha256').update(weightsBytes).digest('hex'),
      float16Check: `float16 against float32 on validation: largest probability change ${calibration.float16.maxProbabilityDifference.toExponential(2)}, ${calibration.float16.decisionsChanged} decisions changed, AUC ${calibration.float16.aucFloat32.toFixed(5)} vs ${calibration.float16.aucFloat16.toFixed(5)}`,
    },
    training: {
      data: [{ ...FRACATLAS, images: split.train.length + split.val.length + split.test.length }],
      split: {
        protocol: 'blocks',
        idBlockSize: recipe.split.idBlockSize,
        seed: recipe.split.seed,
        train: split.train.length,
        val: split.val.length,
        test: split.test.length,
        testFractured: countOf(split.test, 0),
        rule: `blocks of ${recipe.split.idBlockSize} consecutive image ids (nearby ids often come from one examination; FracAtlas has no patient ids), byte-identical copies in their original's block, each part stratified by class (${recipe.split.fractions.join(' / ')}); the test part was used once, at the end`,
      },
      recipe,
      command: `node examples/pretrained-recipe/recipe.mjs${trainSummary.epochs < recipe.epochs ? ` --epochs ${trainSummary.epochs}` : ''}`,
      epochs: `${trainSummary.epochs} of the schedule's ${recipe.epochs} epochs${trainSummary.epochs < recipe.epochs ? ' (a shorter budget: the run was stopped at the time limit of its session; it resumes to the full schedule)' : ''}; shipped: the weights of epoch ${shippedEpoch} (validation AUC ${shippedAuc.toFixed(4)})${
        shippedCheckpoint === 'last' ? `, the last epoch: this run's best-epoch checkpoint (epoch ${trainSummary.bestEpoch + 1}, ${trainSummary.bestValAuc.toFixed(4)}) was not written, because modelCheckpoint ignored an explicit 'max' metric (fixed since)` : ', the best validation AUC'
      }`,
      minutes: Math.round(trainMinutes),
      machine: `${os.cpus()[0]?.model ?? 'CPU'}, ${os.cpus().length} cores, Node ${process.version}, tfjs wasm backend (${trainSummary.threads} threads)`,
      ...(note ? { note } : {}),
    },
    metrics: {
      test: {
        n: evaluation.evaluation.n,
        positives: countOf(split.test, 0),
        auc: estimate(m.auc),
        sensitivity: estimate(m.recall),
        specificity: estimate(m.specificity),
        accuracy: estimate(m.accuracy),
        ece: evaluation.evaluation.ece,
        brier: evaluation.evaluation.brier,
      },
      subgroups: evaluation.subgroups.map((row) => ({ ...row, auc: estimate(row.auc), sensitivity: estimate(row.sensitivity), specificity: estimate(row.specificity) })),
    },
    localisation: {
      n: localisation.n,
      tolerance: localisation.tolerance,
      rows: localisation.rows.map((row) => ({ method: row.method, pointing: estimate(row.pointing), massInBoxes: estimate(row.massInBoxes) })),
    },
    intendedUse:
      'A research tool, not a medical device: for studying fracture classifiers on radiographs, and for prototyping apps that flag images for a clinician to look at. It must not be used to diagnose or to rule out a fracture.',
    limitations: [
      ...findings(m, evaluation.subgroups, localisation, calibration),
      'Trained and tested on FracAtlas only: radiographs from three hospitals, 8-bit JPEGs at most 320 px on the longest side. Other hospitals, devices, resolutions and populations may score lower.',
      'The split is by blocks of consecutive image ids because FracAtlas has no patient ids; an examination that crosses a block boundary can still put near-duplicate views in training and test.',
      `Implants are a shortcut: most images with orthopaedic hardware are fractured. See the card's "implant: yes / no" rows.`,
      'Its probabilities are calibrated on the validation part by temperature scaling; at a prevalence other than FracAtlas\'s (about 1 in 6.4) the positive predictive value changes.',
      'Input is resized to 224 x 224 without keeping the aspect ratio, as in training: small fractures on large radiographs may be lost.',
    ],
  };
  await writeJson(path.join(modelDir, 'card.json'), card);

  const subsetFile = path.join(path.dirname(exportDir), 'test', 'subset-predictions.json');
  const subset = [...split.test.filter((i) => i.label === 0).slice(0, 4), ...split.test.filter((i) => i.label === 1).slice(0, 4)];
  const subsetPredictions = await predictItems(modelDir, subset, {});
  await writeJson(subsetFile, {
    note: 'Probabilities of "fractured" from the shipped weights for 8 test images of ../shared/data/fracatlas, written by the recipe; the fast test checks them.',
    model: recipe.name,
    images: subsetPredictions.items.map((item, i) => ({ path: path.relative(dataDir, item.path).split(path.sep).join('/'), label: item.className, probability: subsetPredictions.probabilities[i][0] })),
  });
  await fs.copyFile(path.join(out, 'split.csv'), path.join(path.dirname(exportDir), 'test', 'fracatlas-split.csv'));
  log(`finalize: card ${path.join(modelDir, 'card.json')} (${engine.name})`);
  return card;
}
