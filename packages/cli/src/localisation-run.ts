import { promises as fs } from 'node:fs';
import { centerPriorHeatmap, localisationScore, uniformHeatmap } from '@fracture/explain';
import type { Heatmap } from '@fracture/explain';
import { bootstrapCi } from '@fracture/metrics';
import type { BootstrapInterval } from '@fracture/metrics';
import { decodeImageAsync } from '@fracture/preprocess';
import type { DatasetItem } from '@fracture/preprocess';
import type { ExplainMethod, Predictor } from './predictor';
import { openProgress } from './progress-file';

/** Mean localisation scores of one map source over the images, with 95 % bootstrap intervals. */
export interface LocalisationSummary {
  /** `gradcam`, `gradcam++`, `occlusion`, or a baseline: `centre prior`, `uniform`. */
  method: string;
  /** Pointing game: share of images whose map peaks in (or within the tolerance of) a fracture box. */
  pointing: BootstrapInterval;
  /** Mean share of the map's mass inside the fracture boxes. */
  massInBoxes: BootstrapInterval;
}

export interface LocalisationRunOptions {
  methods?: ExplainMethod[];
  /**
   * Pointing-game tolerance in pixels of the model input. Default: the literature's 15 px at 224 px, scaled with
   * the input (20 px at 300), so models of different input sizes are held to the same share of the image.
   */
  tolerance?: number;
  /** Occlusion window and step in input pixels (default 1/7 of the input, 32 px at 224: 7 x 7 = 49 forward passes). */
  occlusionWindow?: number;
  occlusionStride?: number;
  seed?: number;
  nBoot?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Keep the images scored so far in this JSON file (every `progressEverySeconds`, default 60), and continue from
   * it when it was written with the same settings and `progressKey`: scoring thousands of maps can take hours. The
   * file is removed once the run completes.
   */
  progressFile?: string;
  /** Identifies the model (for example a hash of its weights): a progress file of another model is not reused. */
  progressKey?: string;
  progressEverySeconds?: number;
}

export interface LocalisationRunResult {
  /** Fractured images with at least one box that were scored. */
  n: number;
  tolerance: number;
  /** Mean share of the input inside the boxes: what a map with no information scores on mass. */
  boxAreaFraction: number;
  /** Occlusion window and step used, in input pixels. */
  occlusionWindow: number;
  occlusionStride: number;
  /** Images taken from `progressFile` instead of being scored again. */
  resumed: number;
  /** The explanation methods, then the two baselines. */
  rows: LocalisationSummary[];
  /** Per image and method, for plots and for checking a single case. */
  perImage: { path: string; scores: Record<string, { pointingHit: number; massInBoxes: number }> }[];
  /** Images that could not be read, with the reason (they are left out, never thrown). */
  failures: { path: string; reason: string }[];
}

/**
 * Does the explanation point at the fracture? For every item with fracture boxes (FracAtlas's radiologists'
 * boxes), each method's map for the class "fractured" (whatever the model predicted: the question is where the
 * evidence for a fracture lies) is scored against the boxes with the pointing game and the mass inside the
 * boxes, beside two maps that know nothing of the image: a centred Gaussian and a flat map. A method that does
 * not beat the centre prior is not explaining. Intervals resample the items' source groups when they have them.
 */
export async function measureLocalisation(predictor: Predictor, items: readonly DatasetItem[], options: LocalisationRunOptions = {}): Promise<LocalisationRunResult> {
  const methods = options.methods ?? ['gradcam', 'gradcam++', 'occlusion'];
  const size = predictor.info.inputSize;
  const tolerance = options.tolerance ?? Math.round((15 * size) / 224);
  const occlusionWindow = options.occlusionWindow ?? Math.max(1, Math.round(size / 7));
  const occlusionStride = options.occlusionStride ?? occlusionWindow;
  const positive = predictor.info.classNames.indexOf(predictor.info.positiveClass);
  const boxed = items.filter((item) => (item.boxes?.length ?? 0) > 0 && item.label === positive);
  if (boxed.length === 0) throw new Error('measureLocalisation: no item of the positive class has fracture boxes');
  const baselines: [string, Heatmap][] = [
    ['centre prior', centerPriorHeatmap(size, size)],
    ['uniform', uniformHeatmap(size, size)],
  ];
  const progress = await openProgress<ScoredImage>(
    options.progressFile,
    { key: options.progressKey ?? '', inputSize: size, methods, tolerance, occlusionWindow, occlusionStride },
    { everySeconds: options.progressEverySeconds, caller: 'measureLocalisation' },
  );
  const done = progress.done;
  // Unreadable images are not kept in the progress file: a file that failed to read is tried again on resume.
  const unreadable = new Map<string, string>();
  for (const [index, item] of boxed.entries()) {
    if (done.has(item.path)) continue;
    let image;
    try {
      image = await decodeImageAsync(new Uint8Array(await fs.readFile(item.path)), { path: item.path });
    } catch (error) {
      unreadable.set(item.path, (error as Error).message);
      continue;
    }
    const geometry = { imageWidth: image.width, imageHeight: image.height, tolerance };
    const boxes = item.boxes ?? [];
    const scores: Record<string, { pointingHit: number; massInBoxes: number }> = {};
    for (const method of methods) {
      const { heatmap } = await predictor.heatmap(image, { method, classIndex: positive, occlusionWindow, occlusionStride });
      const { pointingHit, massInBoxes } = localisationScore(heatmap, boxes, geometry);
      scores[method] = { pointingHit, massInBoxes };
    }
    let boxAreaFraction = 0;
    for (const [name, map] of baselines) {
      const score = localisationScore(map, boxes, geometry);
      scores[name] = { pointingHit: score.pointingHit, massInBoxes: score.massInBoxes };
      if (name === 'uniform') boxAreaFraction = score.boxAreaFraction;
    }
    await progress.add({ path: item.path, scores, boxAreaFraction });
    options.onProgress?.(index + 1, boxed.length);
  }
  // In the items' order, whatever order the progress file held them in, so a resumed run bootstraps identically.
  const perImage: LocalisationRunResult['perImage'] = [];
  const failures: LocalisationRunResult['failures'] = [];
  const groups: string[] = [];
  let areaSum = 0;
  for (const item of boxed) {
    const entry = done.get(item.path);
    if (!entry) {
      failures.push({ path: item.path, reason: unreadable.get(item.path) ?? 'not scored' });
      continue;
    }
    perImage.push({ path: item.path, scores: entry.scores });
    groups.push(item.sourceId ?? item.path);
    areaSum += entry.boxAreaFraction;
  }
  if (perImage.length === 0) throw new Error(`measureLocalisation: none of the ${boxed.length} images could be read (first: ${failures[0]?.path}: ${failures[0]?.reason})`);
  const interval = (values: number[]) =>
    bootstrapCi((sample) => sample.indices.reduce((sum, i) => sum + values[i], 0) / sample.indices.length, {
      labels: values.map(() => 0),
      groups,
      seed: options.seed ?? 0,
      nBoot: options.nBoot ?? 1000,
    });
  const rows = [...methods, ...baselines.map(([name]) => name)].map((method) => ({
    method,
    pointing: interval(perImage.map((p) => p.scores[method].pointingHit)),
    massInBoxes: interval(perImage.map((p) => p.scores[method].massInBoxes)),
  }));
  await progress.finish();
  return { n: perImage.length, tolerance, boxAreaFraction: areaSum / perImage.length, occlusionWindow, occlusionStride, resumed: progress.resumed, rows, perImage, failures };
}

/** One image's scores, and the share of its input inside the boxes. */
interface ScoredImage {
  path: string;
  scores: Record<string, { pointingHit: number; massInBoxes: number }>;
  boxAreaFraction: number;
}
