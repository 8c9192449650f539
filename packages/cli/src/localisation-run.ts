import { promises as fs } from 'node:fs';
import { centerPriorHeatmap, localisationScore, uniformHeatmap } from '@fracture/explain';
import type { Heatmap } from '@fracture/explain';
import { bootstrapCi } from '@fracture/metrics';
import type { BootstrapInterval } from '@fracture/metrics';
import { decodeImageAsync } from '@fracture/preprocess';
import type { DatasetItem } from '@fracture/preprocess';
import type { ExplainMethod, Predictor } from './predictor';

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
  /** Pointing-game tolerance in pixels of the model input (default 15, the literature's for 224 px). */
  tolerance?: number;
  /** Occlusion window and step in input pixels (default 32 and 32: 49 forward passes at 224 px). */
  occlusionWindow?: number;
  occlusionStride?: number;
  seed?: number;
  nBoot?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface LocalisationRunResult {
  /** Fractured images with at least one box that were scored. */
  n: number;
  tolerance: number;
  /** Mean share of the input inside the boxes: what a map with no information scores on mass. */
  boxAreaFraction: number;
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
  const tolerance = options.tolerance ?? 15;
  const size = predictor.info.inputSize;
  const positive = predictor.info.classNames.indexOf(predictor.info.positiveClass);
  const boxed = items.filter((item) => (item.boxes?.length ?? 0) > 0 && item.label === positive);
  if (boxed.length === 0) throw new Error('measureLocalisation: no item of the positive class has fracture boxes');
  const baselines: [string, Heatmap][] = [
    ['centre prior', centerPriorHeatmap(size, size)],
    ['uniform', uniformHeatmap(size, size)],
  ];
  const perImage: LocalisationRunResult['perImage'] = [];
  const failures: LocalisationRunResult['failures'] = [];
  const groups: string[] = [];
  let areaSum = 0;
  for (const [index, item] of boxed.entries()) {
    let image;
    try {
      image = await decodeImageAsync(new Uint8Array(await fs.readFile(item.path)), { path: item.path });
    } catch (error) {
      failures.push({ path: item.path, reason: (error as Error).message });
      continue;
    }
    const geometry = { imageWidth: image.width, imageHeight: image.height, tolerance };
    const boxes = item.boxes ?? [];
    const scores: Record<string, { pointingHit: number; massInBoxes: number }> = {};
    for (const method of methods) {
      const { heatmap } = await predictor.heatmap(image, {
        method,
        classIndex: positive,
        occlusionWindow: options.occlusionWindow ?? 32,
        occlusionStride: options.occlusionStride ?? options.occlusionWindow ?? 32,
      });
      const { pointingHit, massInBoxes } = localisationScore(heatmap, boxes, geometry);
      scores[method] = { pointingHit, massInBoxes };
    }
    for (const [name, map] of baselines) {
      const score = localisationScore(map, boxes, geometry);
      scores[name] = { pointingHit: score.pointingHit, massInBoxes: score.massInBoxes };
      if (name === 'uniform') areaSum += score.boxAreaFraction;
    }
    perImage.push({ path: item.path, scores });
    groups.push(item.sourceId ?? item.path);
    options.onProgress?.(index + 1, boxed.length);
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
  return { n: perImage.length, tolerance, boxAreaFraction: areaSum / perImage.length, rows, perImage, failures };
}
