import * as tfl from '@tensorflow/tfjs-layers';
import { resolveModelOptions } from './model-options';
import type { ModelOptions } from './model-types';
import { SeedSequence, torchDefaultInit } from './torch-init';
import { add, dropout, globalAveragePool, linear, type Node, torchActivation, torchBatchNorm, torchConv2d } from './torch-layers';

const STAGES = [
  { planes: 64, stride: 1 },
  { planes: 128, stride: 2 },
  { planes: 256, stride: 2 },
  { planes: 512, stride: 2 },
] as const;
const BLOCKS_PER_STAGE = 2;

/** torchvision's `BasicBlock`; the block output (after the residual add and ReLU) is `<prefix>.relu_out`. */
function basicBlock(x: Node, prefix: string, inPlanes: number, planes: number, stride: number, seeds: SeedSequence): Node {
  let y = torchConv2d(x, { name: `${prefix}.conv1`, inChannels: inPlanes, outChannels: planes, kernelSize: 3, stride, padding: 1 }, seeds);
  y = torchActivation(torchBatchNorm(y, `${prefix}.bn1`), `${prefix}.relu`, 'relu');
  y = torchConv2d(y, { name: `${prefix}.conv2`, inChannels: planes, outChannels: planes, kernelSize: 3, padding: 1 }, seeds);
  y = torchBatchNorm(y, `${prefix}.bn2`);
  let identity = x;
  if (stride !== 1 || inPlanes !== planes) {
    identity = torchConv2d(
      x,
      { name: `${prefix}.downsample.0`, inChannels: inPlanes, outChannels: planes, kernelSize: 1, stride },
      seeds,
    );
    identity = torchBatchNorm(identity, `${prefix}.downsample.1`);
  }
  return torchActivation(add([y, identity], `${prefix}.add`), `${prefix}.relu_out`, 'relu');
}

/**
 * torchvision's `resnet18`, layer for layer: 7×7/2 stem, 3×3/2 max-pool, four stages of two
 * BasicBlocks, global average pool, and the study's head Dropout(`headDropout`, default 0.5) +
 * Linear(512, `numClasses`) as `fc.0` / `fc.1`. With `headDropout: 0` the head is torchvision's
 * bare `fc`. 11,177,538 parameters with 2 classes, 11,689,512 with 1000 and `headDropout: 0`.
 */
export function createResNet18(options?: ModelOptions): tfl.LayersModel {
  const o = resolveModelOptions('createResNet18', 'resnet18', options, 32);
  const seeds = new SeedSequence(o.seed);
  const input = tfl.input({ name: 'input', shape: [o.inputSize, o.inputSize, o.channels] });
  let x = torchConv2d(input, { name: 'conv1', inChannels: o.channels, outChannels: 64, kernelSize: 7, stride: 2, padding: 3, stem: true }, seeds);
  x = torchActivation(torchBatchNorm(x, 'bn1'), 'relu', 'relu');
  // Zero padding equals PyTorch's -inf max-pool padding here because the input is post-ReLU (>= 0).
  x = tfl.layers.zeroPadding2d({ name: 'maxpool_pad', padding: 1 }).apply(x) as Node;
  x = tfl.layers.maxPooling2d({ name: 'maxpool', poolSize: 3, strides: 2, padding: 'valid' }).apply(x) as Node;
  let inPlanes = 64;
  STAGES.forEach(({ planes, stride }, stage) => {
    for (let block = 0; block < BLOCKS_PER_STAGE; block += 1) {
      x = basicBlock(x, `layer${stage + 1}.${block}`, inPlanes, planes, block === 0 ? stride : 1, seeds);
      inPlanes = planes;
    }
  });
  x = globalAveragePool(x, 'avgpool');
  const headName = o.headDropout > 0 ? 'fc.1' : 'fc';
  if (o.headDropout > 0) x = dropout(x, 'fc.0', o.headDropout, seeds);
  // nn.Linear's default init: torchvision's ResNet leaves fc untouched.
  x = linear(x, {
    name: headName,
    units: o.numClasses,
    kernelInitializer: torchDefaultInit(512, seeds),
    biasInitializer: torchDefaultInit(512, seeds),
  });
  return tfl.model({ name: 'resnet18', inputs: input, outputs: x });
}
