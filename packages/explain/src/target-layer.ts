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

// Layers that only reorder or reshape a feature map: their output is not a [N, h, w, C] map of features.
const LAYOUT_CLASS_NAMES = new Set(['Permute', 'Reshape']);

function isSpatial(layer: Layer): boolean {
  const shape = layer.outputShape;
  return !Array.isArray(shape[0]) && shape.length === 4 && !LAYOUT_CLASS_NAMES.has(layer.getClassName());
}

/**
 * The layer Grad-CAM explains by default, by one rule: the output of the network's last block, i.e. the
 * last layer (in graph order) whose output is still a spatial `[N, h, w, C]` feature map before the network
 * pools or flattens it. This is the layer pytorch-grad-cam users pass (`model.layer4[-1]` for ResNet,
 * `model.features[-1]` for MobileNetV2 and EfficientNet): ResNet18 `layer4.1.relu_out` (= `layer4`),
 * MobileNetV2 `features.18.2` (= `features.18`), EfficientNet-B3 `features.8.2` (= `features.8`), the custom
 * CNN's `pool2`; every registry model's `gradCamLayer` names that block.
 */
export function defaultTargetLayer(model: LayersModel): Layer {
  const spatial = flattenLayers(model).filter((layer) => isSpatial(layer) && layer.getClassName() !== 'InputLayer');
  const last = spatial[spatial.length - 1];
  if (last === undefined) {
    throw new Error(`defaultTargetLayer: model ${model.name} has no layer with a spatial [N, h, w, C] output; pass options.layer`);
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
    // A torchvision container (`layer4`, `features.18`) means its output: the last layer inside it.
    layer = all.find((candidate) => candidate.name === ref) ?? all.filter((candidate) => candidate.name.startsWith(`${ref}.`)).at(-1);
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
