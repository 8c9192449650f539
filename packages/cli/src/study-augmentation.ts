import { transforms, compose } from '@fracture/preprocess';
import type { Transform } from '@fracture/preprocess';
import type { ModelName } from '@fracture/models';

/**
 * The authors' notebook augmentation (docs/paper.md): RandomResizedCrop(scale 0.8-1.0), horizontal
 * flip, rotation ±10° (±15° for EfficientNet-B3) and ColorJitter(0.3, 0.3, 0.3); none for the CNN.
 * Returns `undefined` when the model trained without augmentation.
 *
 * Built from `transforms`' factories, so the pipeline carries a pixel kernel: the batch loader augments
 * plain arrays (a gray radiograph at one channel) instead of running tensor ops per image.
 */
export function studyAugmentation(modelName: ModelName, inputSize: number): Transform | undefined {
  if (modelName === 'cnn') return undefined;
  const degrees = modelName === 'efficientnet-b3' ? 15 : 10;
  return compose([
    transforms.randomResizedCrop(inputSize, { scale: [0.8, 1] }),
    transforms.randomHorizontalFlip(0.5),
    // torchvision's RandomRotation defaults to nearest-neighbour sampling.
    transforms.randomRotation(degrees, { interpolation: 'nearest' }),
    transforms.colorJitter({ brightness: 0.3, contrast: 0.3, saturation: 0.3 }),
  ]);
}
