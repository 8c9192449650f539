import * as tfl from '@tensorflow/tfjs-layers';
import { resolveModelOptions } from './model-options';
import type { ModelOptions } from './model-types';
import { SeedSequence, uniformInit, zerosInit } from './torch-init';
import { StochasticDepth } from './stochastic-depth';
import {
  add,
  convNormActivation,
  dropout,
  globalAveragePool,
  linear,
  type Node,
  torchActivation,
  torchBatchNorm,
  torchConv2d,
} from './torch-layers';

const WIDTH_MULT = 1.2;
const DEPTH_MULT = 1.4;
// torchvision's default for the whole family; the per-block rate grows linearly with depth.
const STOCHASTIC_DEPTH_PROB = 0.2;

// EfficientNet-B0 stages (expand ratio, kernel, stride, in, out, layers), scaled below as torchvision does.
const B0_STAGES = [
  [1, 3, 1, 32, 16, 1],
  [6, 3, 2, 16, 24, 2],
  [6, 5, 2, 24, 40, 2],
  [6, 3, 2, 40, 80, 3],
  [6, 5, 1, 80, 112, 3],
  [6, 5, 2, 112, 192, 4],
  [6, 3, 1, 192, 320, 1],
] as const;

/** torchvision's `_make_divisible(v, 8)`: nearest multiple of 8, never more than 10 % below `v`. */
export function makeDivisible(value: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

interface StageConfig {
  expandRatio: number;
  kernel: number;
  stride: number;
  inChannels: number;
  outChannels: number;
  layers: number;
}

/** The B3 stage table after width (×1.2, rounded to 8) and depth (×1.4, ceil) scaling. */
export function efficientNetB3Stages(): StageConfig[] {
  return B0_STAGES.map(([expandRatio, kernel, stride, inC, outC, layers]) => ({
    expandRatio,
    kernel,
    stride,
    inChannels: makeDivisible(inC * WIDTH_MULT),
    outChannels: makeDivisible(outC * WIDTH_MULT),
    layers: Math.ceil(layers * DEPTH_MULT),
  }));
}

/**
 * torchvision's `SqueezeExcitation` (avgpool → fc1 → SiLU → fc2 → sigmoid → scale), fc1/fc2 being
 * 1×1 convs with bias as in torch so their weights convert like any conv.
 */
function squeezeExcitation(x: Node, prefix: string, channels: number, squeeze: number, seeds: SeedSequence): Node {
  let s = globalAveragePool(x, `${prefix}.avgpool`);
  s = tfl.layers.reshape({ name: `${prefix}.avgpool_keepdims`, targetShape: [1, 1, channels] }).apply(s) as Node;
  s = torchConv2d(s, { name: `${prefix}.fc1`, inChannels: channels, outChannels: squeeze, kernelSize: 1, bias: true }, seeds);
  s = torchActivation(s, `${prefix}.activation`, 'silu');
  s = torchConv2d(s, { name: `${prefix}.fc2`, inChannels: squeeze, outChannels: channels, kernelSize: 1, bias: true }, seeds);
  s = torchActivation(s, `${prefix}.scale_activation`, 'sigmoid');
  return tfl.layers.multiply({ name: `${prefix}.scale` }).apply([x, s]) as Node;
}

/** torchvision's `MBConv`: optional 1×1 expand, depthwise k×k, SE, 1×1 project, stochastic-depth residual. */
function mbConv(x: Node, prefix: string, cnf: StageConfig, stride: number, inC: number, sdProb: number, seeds: SeedSequence): Node {
  const expanded = makeDivisible(inC * cnf.expandRatio);
  let y = x;
  let index = 0;
  if (expanded !== inC) {
    y = convNormActivation(y, { name: `${prefix}.block.0`, inChannels: inC, outChannels: expanded, kernelSize: 1, activation: 'silu' }, seeds);
    index = 1;
  }
  y = convNormActivation(
    y,
    { name: `${prefix}.block.${index}`, inChannels: expanded, outChannels: expanded, kernelSize: cnf.kernel, stride, groups: expanded, activation: 'silu' },
    seeds,
  );
  y = squeezeExcitation(y, `${prefix}.block.${index + 1}`, expanded, Math.max(1, Math.floor(inC / 4)), seeds);
  y = convNormActivation(y, { name: `${prefix}.block.${index + 2}`, inChannels: expanded, outChannels: cnf.outChannels, kernelSize: 1, activation: null }, seeds);
  if (stride !== 1 || inC !== cnf.outChannels) return y;
  y = new StochasticDepth({ name: `${prefix}.stochastic_depth`, rate: sdProb, seed: seeds.next() }).apply(y) as Node;
  return add([y, x], `${prefix}.add`);
}

/**
 * torchvision's `efficientnet_b3`, layer for layer: SiLU, squeeze-and-excitation, batch norm with
 * torchvision's defaults (eps 1e-5, momentum 0.1: torchvision 0.14 passes no norm_layer for B0–B4),
 * stochastic depth up to 0.2 (identity at inference), `features.0` … `features.8`, and the study's
 * head `classifier.0` Dropout(`headDropout`, default 0.5) + `classifier.1` Linear(1536, `numClasses`).
 * 10,699,306 parameters with 2 classes, 12,233,232 with 1000.
 */
export function createEfficientNetB3(options?: ModelOptions): tfl.LayersModel {
  const o = resolveModelOptions('createEfficientNetB3', 'efficientnet-b3', options, 32);
  const seeds = new SeedSequence(o.seed);
  const stages = efficientNetB3Stages();
  const input = tfl.input({ name: 'input', shape: [o.inputSize, o.inputSize, o.channels] });
  const stem = stages[0]!.inChannels;
  let x = convNormActivation(input, { name: 'features.0', inChannels: o.channels, outChannels: stem, kernelSize: 3, stride: 2, activation: 'silu', stem: true }, seeds);
  const totalBlocks = stages.reduce((sum, s) => sum + s.layers, 0);
  let blockId = 0;
  let inC = stem;
  stages.forEach((cnf, stage) => {
    for (let i = 0; i < cnf.layers; i += 1) {
      const sdProb = (STOCHASTIC_DEPTH_PROB * blockId) / totalBlocks;
      x = mbConv(x, `features.${stage + 1}.${i}`, cnf, i === 0 ? cnf.stride : 1, inC, sdProb, seeds);
      inC = cnf.outChannels;
      blockId += 1;
    }
  });
  const lastChannels = 4 * inC;
  x = convNormActivation(
    x,
    { name: `features.${stages.length + 1}`, inChannels: inC, outChannels: lastChannels, kernelSize: 1, activation: 'silu' },
    seeds,
  );
  x = globalAveragePool(x, 'avgpool');
  x = dropout(x, 'classifier.0', o.headDropout, seeds);
  const bound = 1 / Math.sqrt(o.numClasses);
  x = linear(x, { name: 'classifier.1', units: o.numClasses, kernelInitializer: uniformInit(bound, seeds), biasInitializer: zerosInit() });
  return tfl.model({ name: 'efficientnet-b3', inputs: input, outputs: x });
}
