/**
 * @fracture/pretrained: trained fracture classifiers for apps, each with a model card that says what it was
 * trained on, how it was split, how well it did on radiographs it never saw (AUC, sensitivity and specificity
 * with intervals, by body region and with / without implants), where its Grad-CAM points, and what it must not
 * be used for. Models load by name from bytes or a URL in any runtime; `@fracture/pretrained/node` loads the
 * installed files. A research tool, not a medical device.
 *
 * @packageDocumentation
 */

export type {
  CardSubgroup,
  Estimate,
  PretrainedModel,
  PretrainedModelBytes,
  PretrainedModelCard,
  PretrainedModelSource,
  PretrainedPrediction,
} from './types';
export { getModelCard, listPretrainedModels, PRETRAINED_MODEL_NAMES } from './registry';
export { loadPretrainedModel, pretrainedModelFor } from './load-pretrained-model';
export { formatModelCard } from './format-model-card';
