import type { ModelName, ModelSpec } from './model-types';

/** Every model the package builds, in the study's table order. */
export const MODEL_NAMES: readonly ModelName[] = Object.freeze(['cnn', 'resnet18', 'efficientnet-b3', 'mobilenetv2'] as const);

// The notebook normalised every model's input with ImageNet statistics (paper.md, "Inputs").
const IMAGENET_MEAN = Object.freeze([0.485, 0.456, 0.406] as const);
const IMAGENET_STD = Object.freeze([0.229, 0.224, 0.225] as const);

const NOTEBOOK = "the authors' published notebook (docs/paper.md, 'What the authors' published notebook actually did')";

const SPECS: Readonly<Record<ModelName, ModelSpec>> = {
  cnn: {
    name: 'cnn',
    inputSize: 224,
    channels: 3,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    learningRate: 1e-3,
    weightDecay: 0,
    batchSize: 32,
    epochs: 10,
    headDropout: 0,
    gradCamLayer: 'pool2',
    featureLayer: 'fc2_relu',
    headLayer: 'fc3',
    pretrained: false,
    pretrainedInStudy: false,
    torchvisionName: null,
    timmName: null,
    parameters: 5_610_222,
    source: `${NOTEBOOK}: Adam lr 1e-3 without weight decay, 224 px, trained from scratch; Grad-CAM on the second conv.`,
  },
  resnet18: {
    name: 'resnet18',
    inputSize: 224,
    channels: 3,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    learningRate: 1e-4,
    weightDecay: 1e-4,
    batchSize: 32,
    epochs: 10,
    headDropout: 0.5,
    gradCamLayer: 'layer4',
    featureLayer: 'avgpool',
    headLayer: 'fc.1',
    pretrained: true,
    pretrainedInStudy: true,
    torchvisionName: 'resnet18',
    timmName: 'resnet18',
    parameters: 11_177_538,
    source: `${NOTEBOOK}: ImageNet weights, head Dropout(0.5) + Linear(512, 2), Adam lr 1e-4, weight decay 1e-4, 224 px.`,
  },
  'efficientnet-b3': {
    name: 'efficientnet-b3',
    inputSize: 300,
    channels: 3,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    learningRate: 1e-4,
    weightDecay: 1e-4,
    batchSize: 32,
    epochs: 10,
    headDropout: 0.5,
    gradCamLayer: 'features.8',
    featureLayer: 'avgpool',
    headLayer: 'classifier.1',
    pretrained: true,
    pretrainedInStudy: true,
    torchvisionName: 'efficientnet_b3',
    timmName: 'efficientnet_b3',
    parameters: 10_699_306,
    source: `${NOTEBOOK}: ImageNet weights, head Dropout(0.5) + Linear(1536, 2), Adam lr 1e-4, weight decay 1e-4, 300 px.`,
  },
  mobilenetv2: {
    name: 'mobilenetv2',
    inputSize: 224,
    channels: 3,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    learningRate: 1e-3,
    weightDecay: 0,
    batchSize: 32,
    epochs: 10,
    headDropout: 0.2,
    gradCamLayer: 'features.18',
    featureLayer: 'avgpool',
    headLayer: 'classifier.1',
    pretrained: true,
    pretrainedInStudy: false,
    torchvisionName: 'mobilenet_v2',
    timmName: 'mobilenetv2_100',
    parameters: 2_226_434,
    source: `${NOTEBOOK}: trained from scratch (weights=None) although ImageNet weights exist, classifier Linear(1280, 2) after torchvision's Dropout(0.2), Adam lr 1e-3 without weight decay, 224 px.`,
  },
};

/**
 * The registry entry of a model: input size, normalisation, the study's optimiser settings, the
 * default Grad-CAM layer and whether ImageNet weights exist. Values and their sources are in
 * {@link ModelSpec.source}; the paper's text (lr 0.001 for every model) and its notebook disagree
 * for ResNet18 and EfficientNet-B3, and the notebook's numbers are used.
 */
export function getModelSpec(name: ModelName): ModelSpec {
  if (!isModelName(name)) {
    throw new Error(`getModelSpec: unknown model '${String(name)}', expected one of ${MODEL_NAMES.join(', ')}`);
  }
  // mean and std are frozen, so a shallow copy cannot leak mutations into the registry.
  return { ...SPECS[name] };
}

export function isModelName(name: unknown): name is ModelName {
  return typeof name === 'string' && (MODEL_NAMES as readonly string[]).includes(name);
}
