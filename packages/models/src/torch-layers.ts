import * as tfl from '@tensorflow/tfjs-layers';
import { SeededDropout } from './seeded-dropout';
import { StemConv2D } from './stem-conv2d';
import { TorchBatchNorm } from './torch-batch-norm';
import { kaimingNormalFanOut, SeedSequence, zerosInit } from './torch-init';
import { TorchReLU6 } from './torch-relu6';
import { TorchSiLU } from './torch-silu';

/** A symbolic tensor while a functional model is being wired. */
export type Node = tfl.SymbolicTensor;

type Initializer = ReturnType<typeof tfl.initializers.zeros>;

export interface TorchConvArgs {
  /** Torch module path, e.g. `layer1.0.conv1`; becomes the layer name. */
  name: string;
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  /** Symmetric zero padding on every side, as `nn.Conv2d(padding=...)`. */
  padding?: number;
  /** `inChannels` (= `outChannels`) for a depthwise conv; other group counts are not used by these nets. */
  groups?: number;
  bias?: boolean;
  /** Default: torchvision's kaiming normal (fan_out) with zero bias. */
  kernelInitializer?: Initializer;
  biasInitializer?: Initializer;
  /**
   * The model's first convolution, fed by the image (or its zero padding): a {@link StemConv2D},
   * which computes no gradient for its input in training (when it has no bias).
   */
  stem?: boolean;
}

/**
 * `nn.Conv2d` as PyTorch computes it. PyTorch pads symmetrically; TF's 'same' pads the extra row
 * and column at the bottom/right when the stride is 2, which shifts every output. So 'same' is
 * only used where it is symmetric (stride 1, padding (k-1)/2), elsewhere an explicit
 * ZeroPadding2D (`<name>_pad`) precedes a 'valid' conv.
 */
export function torchConv2d(x: Node, args: TorchConvArgs, seeds: SeedSequence): Node {
  const stride = args.stride ?? 1;
  const padding = args.padding ?? 0;
  const groups = args.groups ?? 1;
  const depthwise = groups !== 1;
  if (depthwise && (groups !== args.inChannels || args.outChannels !== args.inChannels)) {
    throw new Error(`torchConv2d: ${args.name}: only depthwise grouping is supported (groups ${groups}, in ${args.inChannels}, out ${args.outChannels})`);
  }
  const useBias = args.bias ?? false;
  let input = x;
  let mode: 'same' | 'valid' = 'valid';
  if (padding > 0) {
    if (stride === 1 && 2 * padding === args.kernelSize - 1) {
      mode = 'same';
    } else {
      input = tfl.layers.zeroPadding2d({ padding, name: `${args.name}_pad` }).apply(input) as Node;
    }
  }
  // torch fan_out of a [out, in/groups, k, k] weight is out * k * k, for depthwise too.
  const fanOut = args.outChannels * args.kernelSize * args.kernelSize;
  const kernelInitializer = args.kernelInitializer ?? kaimingNormalFanOut(fanOut, seeds);
  const biasInitializer = args.biasInitializer ?? zerosInit();
  if (args.stem === true && depthwise) throw new Error(`torchConv2d: ${args.name}: a stem conv cannot be depthwise`);
  const convArgs = {
    name: args.name,
    filters: args.outChannels,
    kernelSize: args.kernelSize,
    strides: stride,
    padding: mode,
    useBias,
    kernelInitializer,
    biasInitializer,
  };
  const layer = depthwise
    ? tfl.layers.depthwiseConv2d({
        name: args.name,
        kernelSize: args.kernelSize,
        strides: stride,
        padding: mode,
        depthMultiplier: 1,
        useBias,
        depthwiseInitializer: kernelInitializer,
        biasInitializer,
      })
    : args.stem === true
      ? new StemConv2D(convArgs)
      : tfl.layers.conv2d(convArgs);
  return layer.apply(input) as Node;
}

/**
 * `nn.BatchNorm2d(eps)` with PyTorch's momentum 0.1, which is Keras momentum 0.9 (Keras weights
 * the old running value, PyTorch the new batch statistic). A {@link TorchBatchNorm}: the stock
 * layer with a one-op training gradient.
 */
export function torchBatchNorm(x: Node, name: string, epsilon = 1e-5): Node {
  return new TorchBatchNorm({ name, axis: -1, epsilon, momentum: 0.9 }).apply(x) as Node;
}

export type TorchActivation = 'relu' | 'relu6' | 'silu';

/**
 * ReLU6 is a {@link TorchReLU6} and SiLU a {@link TorchSiLU} (cheaper gradients, same values); the others are
 * tfjs-layers' `Activation`.
 */
export function torchActivation(x: Node, name: string, activation: TorchActivation | 'sigmoid'): Node {
  if (activation === 'relu6') return new TorchReLU6({ name }).apply(x) as Node;
  if (activation === 'silu') return new TorchSiLU({ name }).apply(x) as Node;
  return tfl.layers.activation({ name, activation }).apply(x) as Node;
}

export interface ConvNormActivationArgs extends Omit<TorchConvArgs, 'bias' | 'padding'> {
  activation: TorchActivation | null;
  epsilon?: number;
}

/**
 * torchvision's `Conv2dNormActivation`: a Sequential of conv (`<name>.0`, no bias, padding
 * (k-1)/2), batch norm (`<name>.1`) and activation (`<name>.2`).
 */
export function convNormActivation(x: Node, args: ConvNormActivationArgs, seeds: SeedSequence): Node {
  const { activation, epsilon, name, ...conv } = args;
  let y = torchConv2d(x, { ...conv, name: `${name}.0`, padding: (args.kernelSize - 1) / 2, bias: false }, seeds);
  y = torchBatchNorm(y, `${name}.1`, epsilon);
  if (activation !== null) y = torchActivation(y, `${name}.2`, activation);
  return y;
}

/** Global average pooling to `[N, C]`, torch's `avgpool` + `flatten(1)`. */
export function globalAveragePool(x: Node, name: string): Node {
  return tfl.layers.globalAveragePooling2d({ name }).apply(x) as Node;
}

/** `nn.Linear`: a dense layer whose kernel is the transposed torch weight. */
export function linear(
  x: Node,
  args: { name: string; units: number; kernelInitializer: Initializer; biasInitializer: Initializer },
): Node {
  return tfl.layers
    .dense({ name: args.name, units: args.units, kernelInitializer: args.kernelInitializer, biasInitializer: args.biasInitializer })
    .apply(x) as Node;
}

/** `nn.Dropout`, seeded per model but with a fresh mask at every training step (see `SeededDropout`). */
export function dropout(x: Node, name: string, rate: number, seeds: SeedSequence): Node {
  return new SeededDropout({ name, rate, seed: seeds.next() }).apply(x) as Node;
}

export function add(inputs: Node[], name: string): Node {
  return tfl.layers.add({ name }).apply(inputs) as Node;
}
