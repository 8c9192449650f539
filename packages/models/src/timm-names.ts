import type * as tfl from '@tensorflow/tfjs-layers';
import type { TimmArchitecture } from './model-types';

// Blocks per timm stage (`blocks.<stage>.<block>`) after depth scaling.
const MOBILENET_V2_STAGE_BLOCKS = [1, 2, 3, 4, 3, 3, 1];

/** Which timm architecture a model built by this package corresponds to, from its layer names. */
export function timmArchitectureOf(model: tfl.LayersModel): TimmArchitecture | null {
  const names = new Set(model.layers.map((l) => l.name));
  if (names.has('layer1.0.conv1')) return 'resnet18';
  if (names.has('features.1.conv.0.0')) return 'mobilenetv2_100';
  if (names.has('features.1.0.block.0.0')) return 'efficientnet_b3';
  return null;
}

// torchvision InvertedResidual / MBConv submodule → timm block attribute. Blocks without an expand
// conv (expand ratio 1) are timm's DepthwiseSeparableConv, whose names differ.
const MOBILENET_DS: Readonly<Record<string, string>> = { 'conv.0.0': 'conv_dw', 'conv.0.1': 'bn1', 'conv.1': 'conv_pw', 'conv.2': 'bn2' };
const MOBILENET_IR: Readonly<Record<string, string>> = {
  'conv.0.0': 'conv_pw',
  'conv.0.1': 'bn1',
  'conv.1.0': 'conv_dw',
  'conv.1.1': 'bn2',
  'conv.2': 'conv_pwl',
  'conv.3': 'bn3',
};
const EFFICIENTNET_DS: Readonly<Record<string, string>> = {
  'block.0.0': 'conv_dw',
  'block.0.1': 'bn1',
  'block.1.fc1': 'se.conv_reduce',
  'block.1.fc2': 'se.conv_expand',
  'block.2.0': 'conv_pw',
  'block.2.1': 'bn2',
};
const EFFICIENTNET_IR: Readonly<Record<string, string>> = {
  'block.0.0': 'conv_pw',
  'block.0.1': 'bn1',
  'block.1.0': 'conv_dw',
  'block.1.1': 'bn2',
  'block.2.fc1': 'se.conv_reduce',
  'block.2.fc2': 'se.conv_expand',
  'block.3.0': 'conv_pwl',
  'block.3.1': 'bn3',
};
// Stem, head conv and classifier share one naming in timm's EfficientNet family.
function commonEnds(module: string, headIndex: number): string | null {
  if (module === 'features.0.0') return 'conv_stem';
  if (module === 'features.0.1') return 'bn1';
  if (module === `features.${headIndex}.0`) return 'conv_head';
  if (module === `features.${headIndex}.1`) return 'bn2';
  if (module === 'classifier.1') return 'classifier';
  return null;
}

function mobilenetModule(module: string): string | null {
  const end = commonEnds(module, 18);
  if (end) return end;
  const m = /^features\.(\d+)\.(conv\..+)$/.exec(module);
  if (!m) return null;
  let flat = Number(m[1]) - 1;
  let stage = 0;
  while (stage < MOBILENET_V2_STAGE_BLOCKS.length && flat >= MOBILENET_V2_STAGE_BLOCKS[stage]!) {
    flat -= MOBILENET_V2_STAGE_BLOCKS[stage]!;
    stage += 1;
  }
  if (stage >= MOBILENET_V2_STAGE_BLOCKS.length) return null;
  const attr = (stage === 0 ? MOBILENET_DS : MOBILENET_IR)[m[2]!];
  return attr ? `blocks.${stage}.${flat}.${attr}` : null;
}

function efficientnetModule(module: string): string | null {
  const end = commonEnds(module, 8);
  if (end) return end;
  const m = /^features\.(\d+)\.(\d+)\.(block\..+)$/.exec(module);
  if (!m) return null;
  const stage = Number(m[1]) - 1;
  const attr = (stage === 0 ? EFFICIENTNET_DS : EFFICIENTNET_IR)[m[3]!];
  return attr ? `blocks.${stage}.${m[2]}.${attr}` : null;
}

/**
 * The timm state-dict key for a torchvision key of the same architecture (`features.2.conv.1.0.weight`
 * → `blocks.1.0.conv_dw.weight` in mobilenetv2_100), following timm's EfficientNet-family naming
 * (conv_stem, bn1, blocks.<stage>.<block>.{conv_pw, conv_dw, se.conv_reduce, se.conv_expand,
 * conv_pwl, bn1–bn3}, conv_head, bn2, classifier). ResNet18 keys are the same in both libraries;
 * the study's two-module heads (`fc.1`, `classifier.1`) map to timm's single `fc` / `classifier`.
 * Returns null for keys timm has no counterpart for.
 */
export function torchvisionToTimmKey(architecture: TimmArchitecture, key: string): string | null {
  const dot = key.lastIndexOf('.');
  const module = key.slice(0, dot);
  const param = key.slice(dot + 1);
  let mapped: string | null;
  if (architecture === 'resnet18') mapped = module === 'fc.1' ? 'fc' : module;
  else if (architecture === 'mobilenetv2_100') mapped = mobilenetModule(module);
  else mapped = efficientnetModule(module);
  return mapped === null ? null : `${mapped}.${param}`;
}
