import type { layers } from '@tensorflow/tfjs-layers';

/**
 * A raster image: row-major, interleaved channels. Structurally the same as
 * `DecodedImage` from `@fracture/preprocess`, so a decoded X-ray (8- or 16-bit,
 * gray, gray+alpha, RGB or RGBA) can be passed as is, and what the overlay
 * functions return can be handed straight to `encodePng`.
 */
export interface RasterImage {
  data: Uint8Array | Uint16Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
}

/** An 8-bit RGB image, the output of every overlay function. */
export interface RgbImage extends RasterImage {
  data: Uint8Array;
  channels: 3;
  bitDepth: 8;
}

/** A single-channel float map, row-major: `data[y * width + x]`. */
export interface Heatmap {
  data: Float32Array;
  width: number;
  height: number;
}

/** Colormaps for heatmaps. `turbo` is perceptually ordered and the default; `jet` matches pytorch-grad-cam's look. */
export type ColormapName = 'turbo' | 'jet' | 'gray';

/** A layer of the model, by name or as the layer object itself. */
export type LayerRef = string | layers.Layer;

/**
 * Which class to explain, per image or one for the whole batch.
 *
 * - Model with `K >= 2` outputs (logits or probabilities): the class index in
 *   `[0, K)`; the score explained is that output (the LOGIT for our models,
 *   as pytorch-grad-cam's `ClassifierOutputTarget`).
 * - Model with a single output `z` (a binary logit, or a sigmoid
 *   probability): `1` explains the class the output scores (score `z`), `0`
 *   explains the other class (score `-z`). Without this negation a
 *   "negative" Grad-CAM of a binary model would show the evidence FOR the
 *   positive class.
 *
 * Default: the predicted class (argmax; for a single output, `z > 0` for
 * logits, `z > 0.5` when the last layer has a sigmoid activation).
 */
export type ClassTarget = number | number[];

/** Options shared by the gradient-based explainers. */
export interface GradCamOptions {
  /**
   * The layer to explain (rank-4 `[N, h, w, C]` output): a layer, its name, or a torchvision container
   * name (`layer4`, `features.18`), which means the container's output (its last layer). Default: the
   * last block's output, i.e. the last spatial feature map before pooling (see `defaultTargetLayer`),
   * which is the `gradCamLayer` of every model in the `@fracture/models` registry.
   */
  layer?: LayerRef;
  /** Class to explain; see {@link ClassTarget}. Default: the predicted class. */
  classIndex?: ClassTarget;
  /** Which model output to explain, for multi-output models. Default 0. */
  outputIndex?: number;
}

/** The explanation of one image. */
export interface CamResult {
  /** The map normalised to [0, 1] (min-max per image; a constant map gives zeros), at the input's size. */
  heatmap: Heatmap;
  /**
   * The map before normalisation and upsampling, at the explained layer's
   * resolution (for Grad-CAM: `ReLU(sum_k w_k A_k)`; for occlusion: the
   * probability drop per window position).
   */
  raw: Heatmap;
  /** The class the map explains. */
  classIndex: number;
  /** The model's predicted class for this image. */
  predictedClass: number;
  /** Class probabilities: softmax of the output for `K >= 2`, sigmoid for a single logit, as is if already probabilities. */
  probabilities: number[];
  /** The score whose gradient (or drop) the map explains: the logit of `classIndex`, negated for class 0 of a single-output model. */
  score: number;
  /** Name of the explained layer (`'input'` for occlusion). */
  layer: string;
}

/** Options of {@link occlusionSensitivity}. */
export interface OcclusionOptions {
  /** Side of the square occluding window in input pixels, or `[height, width]`. Default: 1/8 of the input's shorter side, at least 1. */
  window?: number | [number, number];
  /** Step between windows; default: half the window. The last window is moved to touch the bottom/right edge so every pixel is covered. */
  stride?: number | [number, number];
  /**
   * What the window is filled with, in the model's input space: a number, or
   * `'mean'` for each image's per-channel mean. Default 0 (for inputs
   * normalised with a dataset mean and std, 0 is the mean gray).
   */
  fill?: number | 'mean';
  /** Class to explain; see {@link ClassTarget}. Default: the predicted class. */
  classIndex?: ClassTarget;
  /** Occluded copies sent to the model per call. Default 32. */
  batchSize?: number;
  /** Which model output to explain, for multi-output models. Default 0. */
  outputIndex?: number;
}

/** Options of {@link overlayHeatmap}. */
export interface OverlayOptions {
  /** Weight of the heatmap colour in the blend, in [0, 1]: `out = (1 - alpha) * xray + alpha * colour`. Default 0.4. */
  alpha?: number;
  /** Colormap; default `'turbo'`. */
  colormap?: ColormapName;
  /**
   * Heat values below this are not painted (the X-ray shows through
   * unchanged), so a clinician sees the hot regions on the untouched image.
   * Default 0: paint everything, as pytorch-grad-cam does.
   */
  threshold?: number;
  /**
   * How a 16-bit X-ray becomes 8-bit for display: `'full'` maps 0..65535
   * linearly, `'auto'` stretches the image's own min..max. Default `'auto'`
   * for 16-bit (DICOMs rarely use the full range), ignored for 8-bit.
   */
  window?: 'auto' | 'full';
}

/** Options of {@link renderPanel}. */
export interface PanelOptions extends OverlayOptions {
  /** Caption text, e.g. the predicted class name. Characters outside the built-in font are drawn as `?`. */
  label?: string;
  /** Probability of the labelled class, printed as a percentage after the label. */
  probability?: number;
  /** Height in pixels that each panel half is scaled to (nearest-neighbour up, area-average down). Default: the original's height. */
  height?: number;
  /**
   * Reference regions in the original's pixels (a radiologist's fracture boxes), outlined on both halves so a
   * reader can see whether the heatmap points at them. Boxes reaching past the image are clipped.
   */
  boxes?: readonly LocalisationBox[];
  /** Outline colour of `boxes`, 8-bit RGB. Default white, which stays visible on every colormap's overlay. */
  boxColour?: readonly [number, number, number];
}

/** An annotated region in image pixels: top-left corner and size (FracAtlas boxes from `@fracture/preprocess` fit). */
export interface LocalisationBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Options of {@link localisationScore}. */
export interface LocalisationOptions {
  /** Size of the image the boxes are given in; default: the heatmap's size. */
  imageWidth?: number;
  imageHeight?: number;
  /** Pointing-game tolerance in heatmap pixels. Default 15, the literature's value for 224-px inputs. */
  tolerance?: number;
}

/** How well one heatmap points at its boxes; see {@link localisationScore}. */
export interface LocalisationScore {
  /** 1 if the maximum is in (or within the tolerance of) a box, 0 if not; between for tied maxima (the expected hit). */
  pointingHit: number;
  /** Share of the heatmap's mass inside the boxes, in [0, 1]. */
  massInBoxes: number;
  /** Share of the image inside the boxes: what a uniform map scores. */
  boxAreaFraction: number;
}
