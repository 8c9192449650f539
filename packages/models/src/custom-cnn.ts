import * as tfl from '@tensorflow/tfjs-layers';
import { resolveModelOptions } from './model-options';
import type { ModelOptions } from './model-types';
import { SeedSequence, torchDefaultInit } from './torch-init';
import { dropout, linear, type Node, torchActivation, torchBatchNorm, torchConv2d } from './torch-layers';

// The text variant's prose names no sizes; these are ours, kept small (see README for the count).
const TEXT_VARIANT_CHANNELS = [32, 64, 128, 128] as const;
const TEXT_VARIANT_HIDDEN = 128;
const TEXT_VARIANT_DROPOUT = 0.5;

function maxPool(x: Node, name: string): Node {
  return tfl.layers.maxPooling2d({ name, poolSize: 2, strides: 2, padding: 'valid' }).apply(x) as Node;
}

/**
 * PyTorch flattens NCHW feature maps channel-first; permuting to CHW before Flatten keeps the first
 * linear layer's weight a plain transpose of the torch weight, so checkpoints load without knowing
 * the feature-map size.
 */
function flattenLikeTorch(x: Node, name: string): Node {
  const chw = tfl.layers.permute({ name: `${name}_chw`, dims: [3, 1, 2] }).apply(x) as Node;
  return tfl.layers.flatten({ name }).apply(chw) as Node;
}

function torchLinear(x: Node, name: string, inFeatures: number, units: number, seeds: SeedSequence): Node {
  return linear(x, {
    name,
    units,
    kernelInitializer: torchDefaultInit(inFeatures, seeds),
    biasInitializer: torchDefaultInit(inFeatures, seeds),
  });
}

function buildNotebookCnn(input: Node, inputSize: number, channels: number, numClasses: number, seeds: SeedSequence): Node {
  const conv = (x: Node, name: string, inC: number, outC: number): Node =>
    torchConv2d(
      x,
      {
        name,
        inChannels: inC,
        outChannels: outC,
        kernelSize: 3,
        bias: true,
        kernelInitializer: torchDefaultInit(inC * 9, seeds),
        biasInitializer: torchDefaultInit(inC * 9, seeds),
      },
      seeds,
    );
  let x = conv(input, 'conv1', channels, 6);
  x = maxPool(torchActivation(x, 'conv1_relu', 'relu'), 'pool1');
  x = conv(x, 'conv2', 6, 16);
  x = maxPool(torchActivation(x, 'conv2_relu', 'relu'), 'pool2');
  const side = Math.floor((Math.floor((inputSize - 2) / 2) - 2) / 2);
  const flat = 16 * side * side;
  x = flattenLikeTorch(x, 'flatten');
  x = torchActivation(torchLinear(x, 'fc1', flat, 120, seeds), 'fc1_relu', 'relu');
  x = torchActivation(torchLinear(x, 'fc2', 120, 84, seeds), 'fc2_relu', 'relu');
  return torchLinear(x, 'fc3', 84, numClasses, seeds);
}

function buildTextCnn(
  input: Node,
  inputSize: number,
  channels: number,
  numClasses: number,
  headDropout: number,
  seeds: SeedSequence,
): Node {
  let x = input;
  let inC = channels;
  let side = inputSize;
  let index = 0;
  for (const outC of TEXT_VARIANT_CHANNELS) {
    x = torchConv2d(
      x,
      { name: `features.${index}`, inChannels: inC, outChannels: outC, kernelSize: 3, padding: 1, bias: false, stem: index === 0 },
      seeds,
    );
    x = torchBatchNorm(x, `features.${index + 1}`);
    x = torchActivation(x, `features.${index + 2}`, 'relu');
    x = maxPool(x, `features.${index + 3}`);
    index += 4;
    inC = outC;
    side = Math.floor(side / 2);
  }
  const flat = inC * side * side;
  x = flattenLikeTorch(x, 'flatten');
  x = dropout(x, 'classifier.0', TEXT_VARIANT_DROPOUT, seeds);
  x = torchActivation(torchLinear(x, 'classifier.1', flat, TEXT_VARIANT_HIDDEN, seeds), 'classifier.2', 'relu');
  x = dropout(x, 'classifier.3', headDropout, seeds);
  return torchLinear(x, 'classifier.4', TEXT_VARIANT_HIDDEN, numClasses, seeds);
}

/**
 * The study's custom CNN. The default `'notebook'` variant is the network the authors trained:
 * conv(3→6, 3×3) → ReLU → maxpool 2 → conv(6→16, 3×3) → ReLU → maxpool 2 → flatten → FC 120 →
 * ReLU → FC 84 → ReLU → FC 2, 5,610,222 parameters at 224 × 224 × 3, layers named like the classic
 * PyTorch module (`conv1`, `conv2`, `fc1`, `fc2`, `fc3`). `variant: 'text'` builds what the paper's
 * prose describes: four conv(3×3, pad 1) + batch norm + ReLU + maxpool blocks (32, 64, 128, 128
 * channels, `features.*`), Dropout(0.5), FC 128, ReLU, Dropout(`headDropout`, default 0.5), FC
 * `numClasses` (`classifier.*`): 3,452,834 parameters at 224 × 224 × 3 with 2 classes. Both output
 * logits; apply softmax for the probabilities the paper's "softmax layer" produced.
 */
export function createCustomCnn(options?: ModelOptions): tfl.LayersModel {
  const text = options?.variant === 'text';
  const resolved = resolveModelOptions('createCustomCnn', 'cnn', options, text ? 16 : 10);
  const headDropout = text && options?.headDropout === undefined ? TEXT_VARIANT_DROPOUT : resolved.headDropout;
  if (!text && headDropout !== 0) {
    throw new Error(`createCustomCnn: the notebook variant has no dropout; headDropout must be 0, got ${headDropout}`);
  }
  const seeds = new SeedSequence(resolved.seed);
  const input = tfl.input({ name: 'input', shape: [resolved.inputSize, resolved.inputSize, resolved.channels] });
  const output = text
    ? buildTextCnn(input, resolved.inputSize, resolved.channels, resolved.numClasses, headDropout, seeds)
    : buildNotebookCnn(input, resolved.inputSize, resolved.channels, resolved.numClasses, seeds);
  return tfl.model({ name: text ? 'cnn-text' : 'cnn', inputs: input, outputs: output });
}
