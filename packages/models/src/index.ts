/**
 * @fracture/models: The study's four classifiers (custom CNN, ResNet18, EfficientNet-B3, MobileNetV2) in tfjs-layers, exact to torchvision, with safetensors / PyTorch checkpoint loaders.
 * This entry imports nothing from Node, so it runs in browsers (`registerLayerClasses` before `tf.loadLayersModel(url)`);
 * saving and loading model folders (`saveModel`, `loadModel`, `fileSystemIO`) come from `@fracture/models/node`,
 * which Node resolves `@fracture/models` to as well.
 *
 * @packageDocumentation
 */

export const PACKAGE_NAME = '@fracture/models';
export { registerLayerClasses } from './register-layer-classes';
export type { StateDict, TensorData, TensorDType, TensorValues } from './state-dict-types';
export { readSafetensors, readSafetensorsHeader, writeSafetensors } from './safetensors';
export type { SafetensorsDType, SafetensorsHeader, SafetensorsTensorInfo, WriteSafetensorsOptions } from './safetensors-types';
export { readTorchCheckpoint, readTorchCheckpointObject } from './torch-checkpoint';
export type { CheckpointKey, CheckpointValue, ReadTorchCheckpointOptions } from './torch-checkpoint-types';
export { createCustomCnn } from './custom-cnn';
export { createResNet18 } from './resnet18';
export { createMobileNetV2 } from './mobilenet-v2';
export { createEfficientNetB3 } from './efficientnet-b3';
export { createModel } from './create-model';
export { getModelSpec, isModelName, MODEL_NAMES } from './model-spec';
export { countParameters } from './count-parameters';
export { loadStateDict } from './load-state-dict';
export { getStateDict } from './get-state-dict';
export { getLayerByTorchName, torchStateDictShapes } from './torch-names';
export { torchvisionToTimmKey } from './timm-names';
export { StochasticDepth } from './stochastic-depth';
export { SeededDropout } from './seeded-dropout';
export { BATCH_NORM_GRAD_KERNEL, batchNormInTraining, TorchBatchNorm } from './torch-batch-norm';
export type { BatchStatistics, TorchBatchNormArgs } from './torch-batch-norm';
export { relu6WithMaskGrad, TorchReLU6 } from './torch-relu6';
export { siluWithGrad, TorchSiLU } from './torch-silu';
export { StemConv2D } from './stem-conv2d';
export { float32ToFloat16Bits, quantizeWeightsToFloat16 } from './float16-weights';
export type { StemConv2DArgs } from './stem-conv2d';
export type {
  CustomCnnVariant,
  LoadStateDictOptions,
  LoadStateDictResult,
  MismatchedKey,
  ModelName,
  ModelOptions,
  ModelSpec,
  SeededDropoutArgs,
  StateDictSource,
  StochasticDepthArgs,
  TimmArchitecture,
} from './model-types';
