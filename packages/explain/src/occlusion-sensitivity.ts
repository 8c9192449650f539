import * as tf from '@tensorflow/tfjs-core';
import { LayersModel } from '@tensorflow/tfjs-layers';

import { outputKind, selectClass, type OutputKind } from './class-target';
import type { CamResult, Heatmap, OcclusionOptions } from './types';

/** Anything that maps an image batch `[N, H, W, C]` to outputs `[N, K]`; a model or a plain function. */
export type ImageClassifier = LayersModel | ((batch: tf.Tensor4D) => tf.Tensor);

const CALLER = 'occlusionSensitivity';

/**
 * Occlusion sensitivity (Zeiler & Fergus, 2014): slide a window filled with
 * a constant over the image and record how much the explained class's
 * probability drops. Model-agnostic (it only calls the model) and batched:
 * the occluded copies go through the model `batchSize` at a time.
 *
 * `raw` is the drop per window position (`[rows, cols]`, may be negative
 * where occluding helps the class); `heatmap` gives each pixel the mean drop
 * of the windows covering it, keeps the positive part and divides by its
 * maximum (all zeros when nothing lowers the probability). Probabilities
 * are the softmax of the output (sigmoid for a single logit; used as is when
 * the model ends in softmax / sigmoid, or with a function classifier
 * declared `'probabilities'`).
 */
export function occlusionSensitivity(
  model: ImageClassifier,
  input: tf.Tensor3D,
  options?: OcclusionOptions & { outputKind?: OutputKind },
): Promise<CamResult>;
export function occlusionSensitivity(
  model: ImageClassifier,
  input: tf.Tensor4D,
  options?: OcclusionOptions & { outputKind?: OutputKind },
): Promise<CamResult[]>;
export async function occlusionSensitivity(
  model: ImageClassifier,
  input: tf.Tensor3D | tf.Tensor4D,
  options: OcclusionOptions & { outputKind?: OutputKind } = {},
): Promise<CamResult | CamResult[]> {
  if (!(input instanceof tf.Tensor) || (input.rank !== 3 && input.rank !== 4)) {
    const rank = input instanceof tf.Tensor ? input.rank : 'none';
    throw new Error(`${CALLER}: expected a rank-3 [H, W, C] or rank-4 [N, H, W, C] tensor, got rank ${rank}`);
  }
  const outputIndex = options.outputIndex ?? 0;
  const kind = options.outputKind ?? (model instanceof LayersModel ? outputKind(model, outputIndex) : 'logits');
  const classify = (batch: tf.Tensor4D): tf.Tensor => {
    if (typeof model === 'function') return model(batch);
    const out = model.predict(batch);
    if (Array.isArray(out)) {
      const chosen = out[outputIndex];
      if (chosen === undefined) throw new Error(`${CALLER}: outputIndex ${outputIndex} is out of range for ${out.length} outputs`);
      return chosen;
    }
    return out;
  };

  const images = (input.rank === 3 ? tf.expandDims(input, 0) : tf.clone(input)) as tf.Tensor4D;
  try {
    const [n, height, width, channels] = images.shape;
    const [windowH, windowW] = pair(options.window ?? Math.max(1, Math.floor(Math.min(height, width) / 8)), 'window');
    if (windowH > height || windowW > width) {
      throw new Error(`${CALLER}: window ${windowH}x${windowW} is larger than the ${height}x${width} input`);
    }
    const [strideH, strideW] = pair(options.stride ?? [Math.max(1, Math.floor(windowH / 2)), Math.max(1, Math.floor(windowW / 2))], 'stride');
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`${CALLER}: batchSize must be a positive integer, got ${batchSize}`);
    const fill = options.fill ?? 0;
    if (fill !== 'mean' && !Number.isFinite(fill)) throw new Error(`${CALLER}: fill must be a finite number or 'mean', got ${fill}`);
    const rows = windowStarts(height, windowH, strideH);
    const cols = windowStarts(width, windowW, strideW);
    const positions = rows.flatMap((y) => cols.map((x) => [y, x] as const));

    // Baseline: probabilities and explained class of the unoccluded images.
    const base = tf.tidy(() => {
      const selection = selectClass(classify(images), options.classIndex, kind, CALLER);
      return { probabilities: selection.probabilities, classIndex: selection.classIndex, predicted: selection.predicted };
    });
    const [baseProbabilities, classIndex, predicted] = await Promise.all([
      base.probabilities.data<'float32'>(),
      base.classIndex.data<'int32'>(),
      base.predicted.data<'int32'>(),
    ]);
    const numClasses = base.probabilities.shape[1];
    tf.dispose([base.probabilities, base.classIndex, base.predicted]);

    const results: CamResult[] = [];
    for (let i = 0; i < n; i++) {
      const target = classIndex[i]!;
      const baseline = baseProbabilities[i * numClasses + target]!;
      const drops = new Float32Array(positions.length);
      for (let start = 0; start < positions.length; start += batchSize) {
        const chunk = positions.slice(start, start + batchSize);
        const probs = tf.tidy(() => {
          const image = tf.slice(images, [i, 0, 0, 0], [1, height, width, channels]);
          const fillValue = fill === 'mean' ? tf.mean(image, [1, 2], true) : tf.scalar(fill);
          const mask = tf.tensor4d(windowMasks(chunk, height, width, windowH, windowW), [chunk.length, height, width, 1]);
          const occluded = tf.add(tf.mul(image, tf.sub(1, mask)), tf.mul(fillValue, mask)) as tf.Tensor4D;
          const selection = selectClass(classify(occluded), target, kind, CALLER);
          return tf.reshape(tf.slice(selection.probabilities, [0, target], [chunk.length, 1]), [chunk.length]);
        });
        const values = await probs.data<'float32'>();
        probs.dispose();
        values.forEach((p, j) => (drops[start + j] = baseline - p));
      }
      results.push({
        heatmap: perPixelHeat(drops, rows, cols, height, width, windowH, windowW),
        raw: { data: drops, width: cols.length, height: rows.length },
        classIndex: target,
        predictedClass: predicted[i]!,
        probabilities: Array.from(baseProbabilities.subarray(i * numClasses, (i + 1) * numClasses)),
        score: baseline,
        layer: 'input',
      });
    }
    return input.rank === 3 ? results[0]! : results;
  } finally {
    images.dispose();
  }
}

function pair(value: number | [number, number], name: string): [number, number] {
  const [a, b] = typeof value === 'number' ? [value, value] : value;
  for (const v of [a, b]) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${CALLER}: ${name} must be a positive integer, got ${v}`);
  }
  return [a, b];
}

/** Window origins along one axis; the last window is shifted to end at the border so every pixel is covered. */
function windowStarts(size: number, window: number, stride: number): number[] {
  const starts: number[] = [];
  for (let s = 0; s + window <= size; s += stride) starts.push(s);
  if (starts[starts.length - 1]! + window < size) starts.push(size - window);
  return starts;
}

function windowMasks(
  positions: ReadonlyArray<readonly [number, number]>,
  height: number,
  width: number,
  windowH: number,
  windowW: number,
): Float32Array {
  const masks = new Float32Array(positions.length * height * width);
  positions.forEach(([y0, x0], b) => {
    for (let y = y0; y < y0 + windowH; y++) masks.fill(1, b * height * width + y * width + x0, b * height * width + y * width + x0 + windowW);
  });
  return masks;
}

function perPixelHeat(
  drops: Float32Array,
  rows: number[],
  cols: number[],
  height: number,
  width: number,
  windowH: number,
  windowW: number,
): Heatmap {
  const sum = new Float64Array(height * width);
  const count = new Uint32Array(height * width);
  rows.forEach((y0, r) =>
    cols.forEach((x0, c) => {
      const drop = drops[r * cols.length + c]!;
      for (let y = y0; y < y0 + windowH; y++) {
        for (let x = x0; x < x0 + windowW; x++) {
          sum[y * width + x] += drop;
          count[y * width + x]++;
        }
      }
    }),
  );
  const data = new Float32Array(height * width);
  let max = 0;
  for (let p = 0; p < data.length; p++) {
    data[p] = Math.max(0, sum[p]! / count[p]!);
    max = Math.max(max, data[p]!);
  }
  if (max > 0) for (let p = 0; p < data.length; p++) data[p] = data[p]! / max;
  return { data, width, height };
}
