/**
 * @fracture/explain: why did the model call this X-ray fractured? Grad-CAM
 * and Grad-CAM++ at any convolutional layer of any tfjs-layers graph
 * (residual, branching and nested models included; torchvision container
 * names such as `layer4` accepted; default layer: the last block's output,
 * which is each registry model's `gradCamLayer`), model-agnostic
 * occlusion sensitivity, all batched and leak-free; explicit class targets
 * for two-class and single-output binary models; and overlays a clinician
 * can read: the heatmap in turbo or jet over the original X-ray at its
 * original resolution, and a captioned side-by-side panel. Localisation metrics (the pointing game
 * and the heatmap mass inside annotated boxes, with centre-prior and uniform
 * baselines) measure whether a map points at the radiologists' boxes.
 *
 * @packageDocumentation
 */

export type {
  CamResult,
  ClassTarget,
  ColormapName,
  GradCamOptions,
  Heatmap,
  LayerRef,
  LocalisationBox,
  LocalisationOptions,
  LocalisationScore,
  OcclusionOptions,
  OverlayOptions,
  PanelOptions,
  RasterImage,
  RgbImage,
} from './types';
export type { ImageClassifier } from './occlusion-sensitivity';
export type { OutputKind } from './class-target';
export { gradCam, gradCamPlusPlus } from './grad-cam';
export { occlusionSensitivity } from './occlusion-sensitivity';
export { defaultTargetLayer } from './target-layer';
export { colormap } from './colormap';
export { overlayHeatmap } from './overlay-heatmap';
export { renderPanel } from './render-panel';
export { resizeMap } from './resize-map';
export { centerPriorHeatmap, DEFAULT_POINTING_TOLERANCE, localisationScore, uniformHeatmap } from './localisation-metrics';
