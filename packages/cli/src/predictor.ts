import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { decodeImageAsync, encodePng, normalize, toModelInput } from '@fracture/preprocess';
import type { DecodedImage } from '@fracture/preprocess';
import { gradCam, gradCamPlusPlus, occlusionSensitivity, overlayHeatmap } from '@fracture/explain';
import type { ColormapName, Heatmap } from '@fracture/explain';
import { useEngine } from './engine';
import { loadTrainedModel } from './trained-model';
import type { TrainedModelInfo } from './trained-model';

export type ExplainMethod = 'gradcam' | 'gradcam++' | 'occlusion';

/** One image's prediction: the class, its probability and every class's probability. */
export interface Prediction {
  predictedClass: string;
  classIndex: number;
  probability: number;
  probabilities: Record<string, number>;
}

export interface Explanation {
  method: ExplainMethod;
  classIndex: number;
  /** The map in [0, 1] at the model's input size. */
  heatmap: Heatmap;
  /** The heatmap blended over the original image at its own resolution. */
  overlay: DecodedImage;
  overlayPng: Uint8Array;
}

/** A loaded model plus the exact input preparation it was trained with. */
export interface Predictor {
  readonly info: TrainedModelInfo;
  readonly model: tfl.LayersModel;
  /** Decodes (PNG, JPEG, DICOM) with the training loader's decoder and classifies; `path` only names the file in errors. */
  predictBytes(bytes: Uint8Array, path?: string): Promise<Prediction>;
  predictImages(images: DecodedImage[]): Prediction[];
  explain(image: DecodedImage, options?: { method?: ExplainMethod; classIndex?: number; colormap?: ColormapName }): Promise<Explanation>;
  /** The explanation's heatmap alone, at the model's input size (no overlay): what localisation metrics score. */
  heatmap(image: DecodedImage, options?: HeatmapOptions): Promise<{ heatmap: Heatmap; classIndex: number }>;
  dispose(): void;
}

export interface HeatmapOptions {
  method?: ExplainMethod;
  /** Class to explain; default the predicted one. */
  classIndex?: number;
  /** Occlusion only: window side in input pixels (default 1/8 of the input) and step (default half the window). */
  occlusionWindow?: number;
  occlusionStride?: number;
}

/** Loads a model folder written by `fracture train` (or `saveTrainedModel`) for prediction and explanation. */
export async function createPredictor(modelDir: string): Promise<Predictor> {
  await useEngine();
  const { model, info } = await loadTrainedModel(modelDir);
  return predictorFor(model, info);
}

/** Wraps an in-memory model with its preparation. */
export function predictorFor(model: tfl.LayersModel, info: TrainedModelInfo): Predictor {
  const settings = { height: info.inputSize, width: info.inputSize, channels: info.channels, antialias: true };
  // The loader's own preparation (channels, resize, 8-bit rounding), so the model sees the pixels it trained on.
  const prepare = (images: DecodedImage[]): tf.Tensor4D =>
    tf.tidy(() => {
      const size = info.inputSize * info.inputSize * info.channels;
      const batch = new Float32Array(images.length * size);
      images.forEach((image, i) => toModelInput(image, settings).forEach((level, k) => (batch[i * size + k] = level / 255)));
      return normalize(tf.tensor4d(batch, [images.length, info.inputSize, info.inputSize, info.channels]), info.mean, info.std);
    });

  const predictImages = (images: DecodedImage[]): Prediction[] => {
    if (images.length === 0) return [];
    const probabilities = tf.tidy(() => {
      const logits = model.predict(prepare(images)) as tf.Tensor2D;
      return tf.softmax(logits).arraySync();
    });
    const positive = info.classNames.indexOf(info.positiveClass);
    const useThreshold = info.threshold !== undefined && info.classNames.length === 2 && positive >= 0;
    return probabilities.map((row, i) => {
      // NaN compares false with everything, so without this check class 0 ("fractured") would win.
      if (!row.every(Number.isFinite)) {
        throw new Error(`predictImages: the model's output for image ${i + 1} of ${images.length} is NaN or infinite (${info.modelName}); its weights or the input are not usable`);
      }
      let best = 0;
      for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
      // A model shipped with an operating point says "positive" from its threshold, not from the arg-max.
      if (useThreshold) best = row[positive] >= (info.threshold as number) ? positive : 1 - positive;
      return {
        predictedClass: info.classNames[best] ?? String(best),
        classIndex: best,
        probability: row[best],
        probabilities: Object.fromEntries(row.map((p, k) => [info.classNames[k] ?? String(k), p])),
      };
    });
  };

  async function heatmap(image: DecodedImage, options: HeatmapOptions = {}): Promise<{ heatmap: Heatmap; classIndex: number }> {
    const method = options.method ?? 'gradcam';
    const input = tf.tidy(() => tf.squeeze(prepare([image]), [0]) as tf.Tensor3D);
    try {
      const common = { classIndex: options.classIndex };
      const window = options.occlusionWindow ?? Math.max(4, Math.round(info.inputSize / 8));
      const result =
        method === 'occlusion'
          ? await occlusionSensitivity(model, input, { ...common, window, stride: options.occlusionStride })
          : await (method === 'gradcam++' ? gradCamPlusPlus : gradCam)(model, input, { ...common, layer: info.gradCamLayer });
      return { heatmap: result.heatmap, classIndex: result.classIndex };
    } finally {
      input.dispose();
    }
  }

  return {
    info,
    model,
    predictImages,
    async predictBytes(bytes, path) {
      return predictImages([await decodeImageAsync(bytes, { path })])[0];
    },
    heatmap,
    async explain(image, options = {}) {
      const method = options.method ?? 'gradcam';
      const result = await heatmap(image, { method, classIndex: options.classIndex });
      const overlay = overlayHeatmap(image, result.heatmap, { colormap: options.colormap ?? 'turbo' });
      return { method, classIndex: result.classIndex, heatmap: result.heatmap, overlay, overlayPng: encodePng(overlay) };
    },
    dispose() {
      model.dispose();
    },
  };
}
