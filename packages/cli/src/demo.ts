import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { decodeImageAsync, encodePng, writeSyntheticDataset } from '@fracture/preprocess';
import type { DatasetItem, FractureBox } from '@fracture/preprocess';
import { renderPanel } from '@fracture/explain';
import { formatMetricsTable } from '@fracture/metrics';
import type { BinaryEvaluation } from '@fracture/metrics';
import type { TrainBackend, TrainCallback } from '@fracture/train';
import { createPredictor } from './predictor';
import { runEvaluation } from './evaluate-run';
import { runTraining } from './train-run';

export interface DemoOptions {
  /** Output folder. Default `fracture-demo` in the working directory. */
  out?: string;
  /** Synthetic radiographs to generate (split grouped by source 78/7/15). Default 2400. */
  images?: number;
  /** Side of the synthetic images and the model input. Default 64. */
  size?: number;
  epochs?: number;
  seed?: number;
  backend?: TrainBackend;
  progress?: TrainCallback | null;
  log?: (line: string) => void;
}

export interface DemoResult {
  out: string;
  reportPath: string;
  modelDir: string;
  evaluation: BinaryEvaluation;
  seconds: number;
  backend: string;
  testImages: number;
}

export const DEMO_METRIC_COLUMNS = ['accuracy', 'precision', 'recall', 'specificity', 'f1', 'auc', 'kappa'] as const;

/**
 * The quick start's main job on the embedded default: generate a synthetic radiograph set,
 * split it by source radiograph, train the study's custom CNN (grayscale, small input) for a few
 * epochs, evaluate it with bootstrap intervals, draw the plots and Grad-CAM overlays, and write a
 * small report. Needs no dataset and no network.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  const out = path.resolve(options.out ?? 'fracture-demo');
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const size = options.size ?? 64;
  const seed = options.seed ?? 7;
  const dataDir = path.join(out, 'data');

  log(`generating ${options.images ?? 2400} synthetic radiographs (${size} px) in ${dataDir}`);
  await fs.rm(dataDir, { recursive: true, force: true });
  await writeSyntheticDataset(dataDir, { count: options.images ?? 2400, size, seed, variantsPerSource: 6 });

  const trained = await runTraining({
    modelName: 'cnn',
    dataDir,
    protocol: 'grouped',
    seed,
    out: path.join(out, 'cnn'),
    epochs: options.epochs ?? 20,
    batchSize: 32,
    inputSize: size,
    channels: 1,
    backend: options.backend,
    progress: options.progress,
    log,
  });
  // A resumed demo would skip training; the demo always starts afresh, so remove stale checkpoints.
  await fs.rm(path.join(out, 'cnn', 'checkpoints'), { recursive: true, force: true });

  log(`evaluating on ${trained.split.test.length} held-out images (sources never seen in training)`);
  const evaluation = await runEvaluation({ modelDir: trained.modelDir, items: trained.split.test, out: path.join(out, 'evaluation'), name: 'custom CNN', seed, nBoot: 500 });

  const gallery = await writeGallery(trained.modelDir, galleryItems(evaluation.predictions.items, 2), path.join(out, 'gradcam'));
  const seconds = (Date.now() - started) / 1000;
  const reportPath = path.join(out, 'report.md');
  const table = formatMetricsTable([{ name: 'custom CNN (synthetic)', metrics: { ...evaluation.evaluation.metrics } }], { columns: [...DEMO_METRIC_COLUMNS] });
  const report = [
    '# fracture-ai demo',
    '',
    `Synthetic radiographs (${size} px, generated with seed ${seed}), split by source radiograph; the study's custom CNN trained for ${trained.history.length} epochs on the \`${trained.backend}\` backend in ${seconds.toFixed(0)} s.`,
    'These images are synthetic: the numbers show that the pipeline works, not how a model does on real X-rays.',
    '',
    `## Test set: ${evaluation.evaluation.n} images, positive class "fractured", 95 % bootstrap intervals over source radiographs`,
    '',
    table,
    '![ROC](evaluation/roc.png) ![Confusion matrix](evaluation/confusion.png)',
    '',
    '## Grad-CAM',
    '',
    ...gallery.map((file) => `![Grad-CAM](gradcam/${path.basename(file)})`),
    '',
  ].join('\n');
  await fs.writeFile(reportPath, report);
  return { out, reportPath, modelDir: trained.modelDir, evaluation: evaluation.evaluation, seconds, backend: trained.backend, testImages: evaluation.evaluation.n };
}

/** `perClass` items of each class, each from a different source radiograph, in a stable order. */
export function galleryItems(items: readonly DatasetItem[], perClass: number): string[] {
  const chosen: string[] = [];
  for (const label of [...new Set(items.map((item) => item.label))].sort()) {
    const sources = new Set<string>();
    for (const item of items) {
      if (item.label !== label || sources.has(item.sourceId ?? item.path) || sources.size >= perClass) continue;
      sources.add(item.sourceId ?? item.path);
      chosen.push(item.path);
    }
  }
  return chosen;
}

export interface GalleryOptions {
  /** Explain the positive class (fractured) instead of each image's predicted class, and caption its probability. */
  positiveClass?: boolean;
  /** Reference boxes per file, in the file's pixels (FracAtlas fracture boxes), outlined on both halves. */
  boxesOf?: (file: string) => readonly FractureBox[] | undefined;
}

/**
 * Grad-CAM panels (original | overlay, with the predicted class and its probability) for a few
 * files, written as PNGs named after the inputs and the predicted class. Small images are shown
 * enlarged so the panel stays readable.
 */
export async function writeGallery(modelDir: string, files: string[], out: string, options: GalleryOptions = {}): Promise<string[]> {
  await fs.mkdir(out, { recursive: true });
  const predictor = await createPredictor(modelDir);
  const positive = predictor.info.classNames.indexOf(predictor.info.positiveClass);
  const written: string[] = [];
  try {
    for (const file of files) {
      const image = await decodeImageAsync(new Uint8Array(await fs.readFile(file)), { path: file });
      const [prediction] = predictor.predictImages([image]);
      const classIndex = options.positiveClass ? positive : prediction.classIndex;
      const className = predictor.info.classNames[classIndex] ?? String(classIndex);
      const explanation = await predictor.explain(image, { classIndex });
      const probability = options.positiveClass ? (prediction.probabilities[className] ?? 0) : prediction.probability;
      const panel = renderPanel(image, explanation.heatmap, {
        label: className,
        probability,
        height: Math.max(256, Math.min(image.height, 512)),
        boxes: options.boxesOf?.(file),
      });
      const target = path.join(out, `${path.parse(file).name}-${prediction.predictedClass.replace(/\s+/g, '-')}.png`);
      await fs.writeFile(target, encodePng(panel));
      written.push(target);
    }
  } finally {
    predictor.dispose();
  }
  return written;
}
