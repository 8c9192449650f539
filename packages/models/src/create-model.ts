import type * as tfl from '@tensorflow/tfjs-layers';
import { createCustomCnn } from './custom-cnn';
import { createEfficientNetB3 } from './efficientnet-b3';
import { createMobileNetV2 } from './mobilenet-v2';
import { isModelName, MODEL_NAMES } from './model-spec';
import type { ModelName, ModelOptions } from './model-types';
import { createResNet18 } from './resnet18';

const FACTORIES: Readonly<Record<ModelName, (options?: ModelOptions) => tfl.LayersModel>> = {
  cnn: createCustomCnn,
  resnet18: createResNet18,
  'efficientnet-b3': createEfficientNetB3,
  mobilenetv2: createMobileNetV2,
};

/** Builds one of the study's models by registry name; the model outputs logits `[N, numClasses]`. */
export function createModel(name: ModelName, options?: ModelOptions): tfl.LayersModel {
  if (!isModelName(name)) {
    throw new Error(`createModel: unknown model '${String(name)}', expected one of ${MODEL_NAMES.join(', ')}`);
  }
  return FACTORIES[name](options);
}
