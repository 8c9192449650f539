import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import { describeKernelPaths, onBackend, randomValues, relativeError } from '../testing/backends';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';
import { setColumnBufferElements } from './filter-gradient-gemm';

type Pad = 'same' | 'valid' | backend_util.ExplicitPadding;
interface Case {
  x: [number, number, number, number];
  k: number;
  outChannels: number;
  stride: number;
  pad: Pad;
  dilation?: number;
}

const explicit = (t: number, b: number, l: number, r: number): backend_util.ExplicitPadding => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
];

// Strides, paddings and kernel sizes of the four models (7x7/2 stem with explicit 3-pad, 3x3/2 'same' on even and
// odd sizes, 1x1/2 shortcuts, 5x5 depthwise, ZeroPadding2D + valid), plus odd geometry.
const CONV_CASES: Case[] = [
  { x: [2, 16, 16, 3], k: 7, outChannels: 4, stride: 2, pad: explicit(3, 3, 3, 3) },
  { x: [2, 9, 9, 4], k: 3, outChannels: 5, stride: 1, pad: 'same' },
  { x: [2, 9, 9, 4], k: 3, outChannels: 5, stride: 2, pad: 'same' },
  { x: [2, 10, 10, 4], k: 3, outChannels: 5, stride: 2, pad: 'same' },
  { x: [2, 10, 10, 4], k: 3, outChannels: 6, stride: 2, pad: 'valid' },
  { x: [2, 11, 11, 4], k: 3, outChannels: 6, stride: 2, pad: explicit(0, 1, 0, 1) },
  { x: [2, 8, 8, 6], k: 1, outChannels: 8, stride: 2, pad: 'valid' },
  { x: [3, 7, 7, 5], k: 1, outChannels: 3, stride: 1, pad: 'valid' },
  { x: [1, 12, 10, 2], k: 5, outChannels: 3, stride: 2, pad: 'same' },
  { x: [2, 8, 9, 3], k: 5, outChannels: 2, stride: 1, pad: 'valid' },
  { x: [2, 13, 13, 3], k: 3, outChannels: 4, stride: 3, pad: 'same' },
  { x: [2, 6, 6, 3], k: 3, outChannels: 4, stride: 1, pad: explicit(2, 0, 1, 2) },
  // MobileNetV2's last stages: 1x1 expansions and projections on 2x2 and 4x4 maps
  { x: [2, 2, 2, 40], k: 1, outChannels: 96, stride: 1, pad: 'valid' },
  { x: [2, 4, 4, 24], k: 1, outChannels: 8, stride: 1, pad: 'valid' },
];

const DEPTHWISE_CASES: Case[] = [
  { x: [2, 9, 9, 4], k: 3, outChannels: 4, stride: 1, pad: 'same' },
  { x: [2, 10, 10, 4], k: 3, outChannels: 4, stride: 2, pad: 'same' },
  { x: [2, 9, 9, 6], k: 3, outChannels: 6, stride: 2, pad: 'same' },
  { x: [2, 11, 11, 3], k: 5, outChannels: 3, stride: 2, pad: 'same' },
  { x: [2, 12, 12, 3], k: 5, outChannels: 3, stride: 1, pad: 'same' },
  { x: [2, 11, 11, 4], k: 3, outChannels: 4, stride: 2, pad: explicit(0, 1, 0, 1) },
  { x: [3, 8, 8, 2], k: 3, outChannels: 2, stride: 1, pad: 'valid' },
  // ZeroPadding2D(1) + valid stride 2, as the models build it: even and odd padded sizes, many channels
  { x: [2, 10, 10, 40], k: 3, outChannels: 40, stride: 2, pad: 'valid' },
  { x: [2, 9, 9, 24], k: 3, outChannels: 24, stride: 2, pad: 'valid' },
  { x: [2, 4, 4, 16], k: 3, outChannels: 16, stride: 1, pad: 'same' },
  // fall-back path: channel multiplier 2
  { x: [2, 8, 8, 3], k: 3, outChannels: 6, stride: 2, pad: 'same' },
];

// The cpu backend ignores dilations in its depthwise filter gradient (tfjs's gradient asserts dilation 1 before
// reaching it), so dilated cases are checked against the forward kernel instead: both gradients are linear maps,
// and column j of each is the forward convolution of a one-hot input or filter, dotted with dy.
const DILATED_CASES: Case[] = [
  { x: [2, 7, 7, 3], k: 3, outChannels: 3, stride: 1, pad: 'same', dilation: 2 },
  { x: [1, 8, 6, 2], k: 3, outChannels: 2, stride: 1, pad: 'valid', dilation: 2 },
];

function gradientsFromForward(c: Case): { filterGrad: Float32Array; inputGrad: Float32Array } {
  const filterShape: [number, number, number, number] = [c.k, c.k, c.x[3], c.outChannels / c.x[3]];
  const conv = (xs: Float32Array, ws: Float32Array) =>
    tf.tidy(() => tf.depthwiseConv2d(tf.tensor4d(xs, c.x), tf.tensor4d(ws, filterShape), c.stride, c.pad as 'same', 'NHWC', c.dilation));
  const xv = randomValues(tf.util.sizeFromShape(c.x), 1);
  const wv = randomValues(tf.util.sizeFromShape(filterShape), 2);
  const probe = conv(xv, wv);
  const dyv = randomValues(probe.size, 3);
  probe.dispose();
  const dot = (t: tf.Tensor) => {
    const v = t.dataSync();
    t.dispose();
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * dyv[i]!;
    return s;
  };
  const filterGrad = new Float32Array(wv.length);
  for (let j = 0; j < wv.length; j++) {
    const basis = new Float32Array(wv.length);
    basis[j] = 1;
    filterGrad[j] = dot(conv(xv, basis));
  }
  const inputGrad = new Float32Array(xv.length);
  for (let j = 0; j < xv.length; j++) {
    const basis = new Float32Array(xv.length);
    basis[j] = 1;
    inputGrad[j] = dot(conv(basis, wv));
  }
  return { filterGrad, inputGrad };
}

function describeCase(c: Case): string {
  const pad = typeof c.pad === 'string' ? c.pad : `explicit ${JSON.stringify(c.pad.slice(1, 3))}`;
  return `x ${c.x.join('x')} k${c.k} co${c.outChannels} s${c.stride} ${pad}${c.dilation ? ` d${c.dilation}` : ''}`;
}

function runGradients(c: Case, depthwise: boolean): { filterGrad: Float32Array; inputGrad: Float32Array } {
  const filterShape: [number, number, number, number] = depthwise
    ? [c.k, c.k, c.x[3], c.outChannels / c.x[3]]
    : [c.k, c.k, c.x[3], c.outChannels];
  const dilations = c.dilation ?? 1;
  const info = backend_util.computeConv2DInfo(c.x, filterShape, c.stride, dilations, c.pad, undefined, depthwise);
  const x = tf.tensor4d(randomValues(tf.util.sizeFromShape(c.x), 1), c.x);
  const w = tf.tensor4d(randomValues(tf.util.sizeFromShape(filterShape), 2), filterShape);
  const dy = tf.tensor(randomValues(tf.util.sizeFromShape(info.outShape), 3), info.outShape);
  const engine = tf.engine();
  const before = tf.memory().numTensors;
  let filterGrad: tf.Tensor;
  let inputGrad: tf.Tensor;
  if (depthwise) {
    const common = { strides: c.stride, dilations, pad: c.pad };
    filterGrad = engine.runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...common, filterShape } as never) as tf.Tensor;
    inputGrad = engine.runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...common, inputShape: c.x } as never) as tf.Tensor;
  } else {
    const common = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC' };
    filterGrad = engine.runKernel('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape } as never) as tf.Tensor;
    inputGrad = engine.runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...common, inputShape: c.x } as never) as tf.Tensor;
  }
  expect(tf.memory().numTensors).toBe(before + 2);
  expect(filterGrad.shape).toEqual(filterShape);
  expect(inputGrad.shape).toEqual(c.x);
  const result = { filterGrad: filterGrad.dataSync() as Float32Array, inputGrad: inputGrad.dataSync() as Float32Array };
  tf.dispose([x, w, dy, filterGrad, inputGrad]);
  return result;
}

beforeAll(async () => {
  registerWasmTrainingKernels();
  await onBackend('wasm', () => undefined);
});

describeKernelPaths('wasm convolution gradients match the cpu backend', () => {
  test.each(CONV_CASES.map((c) => [describeCase(c), c] as const))('Conv2D %s', async (_name, c) => {
    const cpu = await onBackend('cpu', () => runGradients(c, false));
    const wasm = await onBackend('wasm', () => runGradients(c, false));
    expect(relativeError(wasm.filterGrad, cpu.filterGrad)).toBeLessThan(1e-4);
    expect(relativeError(wasm.inputGrad, cpu.inputGrad)).toBeLessThan(1e-4);
  });

  test.each(DEPTHWISE_CASES.map((c) => [describeCase(c), c] as const))('DepthwiseConv2d %s', async (_name, c) => {
    const cpu = await onBackend('cpu', () => runGradients(c, true));
    const wasm = await onBackend('wasm', () => runGradients(c, true));
    expect(relativeError(wasm.filterGrad, cpu.filterGrad)).toBeLessThan(1e-4);
    expect(relativeError(wasm.inputGrad, cpu.inputGrad)).toBeLessThan(1e-4);
  });

  test.each(DILATED_CASES.map((c) => [describeCase(c), c] as const))('DepthwiseConv2d %s (vs forward)', async (_name, c) => {
    const reference = await onBackend('cpu', () => gradientsFromForward(c));
    const wasm = await onBackend('wasm', () => runGradients(c, true));
    expect(relativeError(wasm.filterGrad, reference.filterGrad)).toBeLessThan(1e-4);
    expect(relativeError(wasm.inputGrad, reference.inputGrad)).toBeLessThan(1e-4);
  });

  test('Conv2D gradients in NCHW layout', async () => {
    const run = () => {
      const x = tf.tensor4d(randomValues(2 * 3 * 9 * 9, 1), [2, 3, 9, 9]);
      const w = tf.tensor4d(randomValues(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
      const dy = tf.tensor4d(randomValues(2 * 4 * 5 * 5, 3), [2, 4, 5, 5]);
      const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW' };
      const engine = tf.engine();
      const dw = engine.runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 3, 4] } as never) as tf.Tensor;
      const dx = engine.runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: [2, 3, 9, 9] } as never) as tf.Tensor;
      const out = { dw: dw.dataSync().slice(), dx: dx.dataSync().slice(), dxShape: dx.shape };
      tf.dispose([x, w, dy, dw, dx]);
      return out;
    };
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    expect(wasm.dxShape).toEqual([2, 3, 9, 9]);
    expect(relativeError(wasm.dw, cpu.dw)).toBeLessThan(1e-4);
    expect(relativeError(wasm.dx, cpu.dx)).toBeLessThan(1e-4);
  });

  test('the filter gradient is the same when its column buffer is split over images', async () => {
    const previous = setColumnBufferElements(1000); // one image per chunk for these shapes
    try {
      for (const c of [CONV_CASES[0]!, CONV_CASES[2]!, CONV_CASES[7]!]) {
        const cpu = await onBackend('cpu', () => runGradients(c, false));
        const wasm = await onBackend('wasm', () => runGradients(c, false));
        expect(relativeError(wasm.filterGrad, cpu.filterGrad)).toBeLessThan(1e-4);
      }
    } finally {
      setColumnBufferElements(previous);
    }
  });

  test('the composed kernels leave no wasm buffers behind', async () => {
    await onBackend('wasm', () => {
      const before = tf.engine().backend.numDataIds();
      runGradients(CONV_CASES[2]!, false);
      runGradients(DEPTHWISE_CASES[1]!, true);
      expect(tf.engine().backend.numDataIds()).toBe(before);
    });
  });
});
