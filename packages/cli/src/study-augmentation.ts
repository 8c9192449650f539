import { colorJitter, compose, randomFlip, randomResizedCrop, randomRotation } from '@fracture/preprocess';
import type { Transform } from '@fracture/preprocess';
import type { ModelName } from '@fracture/models';

/**
 * The authors' notebook augmentation (docs/paper.md): RandomResizedCrop(scale 0.8-1.0), horizontal
 * flip, rotation ±10° (±15° for EfficientNet-B3) and ColorJitter(0.3, 0.3, 0.3); none for the CNN.
 * Returns `undefined` when the model trained without augmentation.
 */
export function studyAugmentation(modelName: ModelName, inputSize: number): Transform | undefined {
  if (modelName === 'cnn') return undefined;
  const degrees = modelName === 'efficientnet-b3' ? 15 : 10;
  return compose([
    (x, rng) => randomResizedCrop(x, { size: inputSize, scale: [0.8, 1], seed: rng }),
    (x, rng) => randomFlip(x, { horizontal: 0.5, seed: rng }),
    // torchvision's RandomRotation defaults to nearest-neighbour sampling.
    (x, rng) => randomRotation(x, { degrees, interpolation: 'nearest', seed: rng }),
    (x, rng) => colorJitter(x, { brightness: 0.3, contrast: 0.3, saturation: 0.3, seed: rng }),
  ]);
}
