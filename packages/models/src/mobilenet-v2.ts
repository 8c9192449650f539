import * as tfl from '@tensorflow/tfjs-layers';
import { resolveModelOptions } from './model-options';
import type { ModelOptions } from './model-types';
import { normalInit, SeedSequence, zerosInit } from './torch-init';
import { add, convNormActivation, dropout, globalAveragePool, linear, type Node, torchBatchNorm, torchConv2d } from './torch-layers';

// torchvision's inverted_residual_setting: expand ratio t, output channels c, repeats n, stride s.
const INVERTED_RESIDUAL_SETTING = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
] as const;
const STEM_CHANNELS = 32;
const LAST_CHANNEL = 1280;

/** torchvision's `InvertedResidual` at `features.<index>`; its submodules live under `.conv.*`. */
function invertedResidual(x: Node, prefix: string, inC: number, outC: number, stride: number, expandRatio: number, seeds: SeedSequence): Node {
  const hidden = Math.round(inC * expandRatio);
  let y = x;
  let index = 0;
  if (expandRatio !== 1) {
    y = convNormActivation(y, { name: `${prefix}.conv.0`, inChannels: inC, outChannels: hidden, kernelSize: 1, activation: 'relu6' }, seeds);
    index = 1;
  }
  y = convNormActivation(
    y,
    { name: `${prefix}.conv.${index}`, inChannels: hidden, outChannels: hidden, kernelSize: 3, stride, groups: hidden, activation: 'relu6' },
    seeds,
  );
  y = torchConv2d(y, { name: `${prefix}.conv.${index + 1}`, inChannels: hidden, outChannels: outC, kernelSize: 1 }, seeds);
  y = torchBatchNorm(y, `${prefix}.conv.${index + 2}`);
  return stride === 1 && inC === outC ? add([x, y], `${prefix}.add`) : y;
}

/**
 * torchvision's `mobilenet_v2` (width 1.0), layer for layer: ReLU6, batch norm eps 1e-5, depthwise
 * 3×3 convs, `features.0` … `features.18`, global average pool, and `classifier.0` Dropout
 * (`headDropout`, default torchvision's 0.2) + `classifier.1` Linear(1280, `numClasses`), the study's
 * head. 2,226,434 parameters with 2 classes, 3,504,872 with 1000.
 */
export function createMobileNetV2(options?: ModelOptions): tfl.LayersModel {
  const o = resolveModelOptions('createMobileNetV2', 'mobilenetv2', options, 32);
  const seeds = new SeedSequence(o.seed);
  const input = tfl.input({ name: 'input', shape: [o.inputSize, o.inputSize, o.channels] });
  let x = convNormActivation(
    input,
    { name: 'features.0', inChannels: o.channels, outChannels: STEM_CHANNELS, kernelSize: 3, stride: 2, activation: 'relu6', stem: true },
    seeds,
  );
  let inC = STEM_CHANNELS;
  let index = 1;
  for (const [t, c, n, s] of INVERTED_RESIDUAL_SETTING) {
    for (let i = 0; i < n; i += 1) {
      x = invertedResidual(x, `features.${index}`, inC, c, i === 0 ? s : 1, t, seeds);
      inC = c;
      index += 1;
    }
  }
  x = convNormActivation(x, { name: `features.${index}`, inChannels: inC, outChannels: LAST_CHANNEL, kernelSize: 1, activation: 'relu6' }, seeds);
  x = globalAveragePool(x, 'avgpool');
  x = dropout(x, 'classifier.0', o.headDropout, seeds);
  x = linear(x, { name: 'classifier.1', units: o.numClasses, kernelInitializer: normalInit(0.01, seeds), biasInitializer: zerosInit() });
  return tfl.model({ name: 'mobilenetv2', inputs: input, outputs: x });
}
