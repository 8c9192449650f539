import { LayersModel, type layers } from '@tensorflow/tfjs-layers';

import type { LayerRef } from './types';

type Layer = layers.Layer;

// StemConv2D: @fracture/models' first convolution (a Conv2D that skips its input gradient in training).
const CONV_CLASS_NAMES = new Set(['Conv2D', 'StemConv2D', 'DepthwiseConv2D', 'SeparableConv2D']);

/** Every layer of the model in graph order, descending into nested models. */
export function flattenLayers(model: LayersModel): Layer[] {
  const all: Layer[] = [];
  for (const layer of model.layers) {
    if (layer instanceof LayersModel) all.push(...flattenLayers(layer));
    else all.push(layer);
  }
  return all;
}

/**
 * The layer Grad-CAM explains by default: the last 2-D convolution of the
 * graph. For the study's models this is exactly the registry's
 * `gradCamLayer` (ResNet18 `layer4.1.conv2`, MobileNetV2 `features.18.0`,
 * EfficientNet-B3 `features.8.0`, the custom CNN's second conv), the layers
 * the authors' notebook used.
 */
export function defaultTargetLayer(model: LayersModel): Layer {
  const convs = flattenLayers(model).filter((layer) => CONV_CLASS_NAMES.has(layer.getClassName()));
  const last = convs[convs.length - 1];
  if (last === undefined) {
    throw new Error(`defaultTargetLayer: model ${model.name} has no Conv2D layer; pass options.layer`);
  }
  return last;
}

/** Resolves a layer name or object to a layer of `model` (nested models included), checking its output is `[N, h, w, C]`. */
export function resolveTargetLayer(model: LayersModel, ref: LayerRef | undefined, caller: string): Layer {
  const all = flattenLayers(model);
  let layer: Layer | undefined;
  if (ref === undefined) {
    layer = defaultTargetLayer(model);
  } else if (typeof ref === 'string') {
    layer = all.find((candidate) => candidate.name === ref);
    if (layer === undefined) {
      const convNames = all.filter((l) => CONV_CLASS_NAMES.has(l.getClassName())).map((l) => l.name);
      const hint = convNames.slice(-5).join(', ');
      throw new Error(`${caller}: model ${model.name} has no layer named '${ref}' (last conv layers: ${hint || 'none'})`);
    }
  } else {
    layer = all.includes(ref) ? ref : undefined;
    if (layer === undefined) throw new Error(`${caller}: layer ${ref.name} is not part of model ${model.name}`);
  }
  const shape = layer.outputShape;
  const rank = Array.isArray(shape[0]) ? -1 : shape.length;
  if (rank !== 4) {
    throw new Error(
      `${caller}: layer ${layer.name} must output a rank-4 [N, h, w, C] tensor, got output shape ${JSON.stringify(shape)}`,
    );
  }
  return layer;
}
