import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Trainable parameters, the number PyTorch reports as `sum(p.numel() for p in model.parameters())`.
 * tfjs's `model.countParams()` also counts batch norm's running mean and variance, which PyTorch
 * keeps as buffers, so it is larger for every model with batch norm.
 */
export function countParameters(model: tfl.LayersModel): number {
  if (model === null || typeof model !== 'object' || !Array.isArray(model.trainableWeights)) {
    throw new Error('countParameters: expected a tfjs LayersModel');
  }
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((p: number, d) => p * (d ?? 1), 1), 0);
}
