import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';

/**
 * Every weight of a model, layer by layer. `model.weights` lists trainable
 * weights first, so its order changes when layers are frozen or unfrozen;
 * this order does not.
 */
export function stableWeights(model: LayersModel): LayerVariable[] {
  return model.layers.flatMap((layer) => layer.weights);
}
