/**
 * @fracture/models: The study's four classifiers (custom CNN, ResNet18, EfficientNet-B3, MobileNetV2) in tfjs-layers, exact to torchvision, with safetensors / PyTorch checkpoint loaders.
 *
 * @packageDocumentation
 */

export const PACKAGE_NAME = '@fracture/models';
