/*
 * Per-kernel timing of the composed convolution gradients against the forward convolution on the same shapes
 * (`npm run bench:kernels -w @fracture/backend -- [native] [--threads=n]`). Shapes are ResNet18 / MobileNetV2 layers at 224 px, batch 8.
 * With `winograd`, instead: ResNet18's stride-1 3x3 convolutions at batch 8 and 16, forward and input gradient
 * on XNNPACK and on our Winograd kernels, and the filter gradient on the column matrix multiply and on Winograd
 * (`--ops=forward,dx,dw` picks the columns, `--only=<label prefix>` the rows).
 * With `pointwise`: MobileNetV2's 1x1 convolutions at batch 8, the filter gradient on the column matrix multiply
 * and on our pointwise product (pointwise-filter-gradient.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, selectBackend } from '../src/index';
import { enableRelaxedSimd } from '../src/relaxed-simd';
import { convKernelsBuild, setConvKernelsBuild, setConvKernelWorkersEnabled } from '../src/kernels/conv-kernels';
import { setPointwiseFilterGradientEnabled } from '../src/kernels/pointwise-filter-gradient';
import { setWinogradPolicy, threadsOf } from '../src/kernels/winograd-choice';
import type { WinogradPolicy } from '../src/kernels/winograd-choice';
import type { WasmBackendLike } from '../src/kernels/wasm-kernel-utils';

interface Shape {
  label: string;
  x: [number, number, number, number];
  k: number;
  co: number;
  stride: number;
  pad: 'same' | 'valid';
  depthwise?: boolean;
}

const SHAPES: Shape[] = [
  { label: 'resnet stem 7x7/2', x: [8, 230, 230, 3], k: 7, co: 64, stride: 2, pad: 'valid' },
  { label: 'resnet layer1 3x3', x: [8, 56, 56, 64], k: 3, co: 64, stride: 1, pad: 'same' },
  { label: 'resnet layer2 3x3/2', x: [8, 58, 58, 64], k: 3, co: 128, stride: 2, pad: 'valid' },
  { label: 'resnet layer2 1x1/2', x: [8, 56, 56, 64], k: 1, co: 128, stride: 2, pad: 'valid' },
  { label: 'resnet layer4 3x3', x: [8, 7, 7, 512], k: 3, co: 512, stride: 1, pad: 'same' },
  { label: 'mobilenet dw 3x3', x: [8, 112, 112, 96], k: 3, co: 96, stride: 1, pad: 'same', depthwise: true },
  { label: 'mobilenet dw 3x3/2', x: [8, 113, 113, 96], k: 3, co: 96, stride: 2, pad: 'valid', depthwise: true },
  { label: 'mobilenet 1x1', x: [8, 56, 56, 24], k: 1, co: 144, stride: 1, pad: 'valid' },
];

function time(fn: () => tf.Tensor, repeats = 3): number {
  tf.dispose(fn());
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    // wasm kernels run synchronously: reading the output back would time a copy to JavaScript as well
    const out = fn();
    best = Math.min(best, performance.now() - t0);
    out.dispose();
  }
  return best;
}

async function main(): Promise<void> {
  const native = process.argv.includes('native');
  const threadsArg = process.argv.find((a) => a.startsWith('--threads='));
  if (!native) registerWasmTrainingKernels();
  // What selectBackend does before the wasm backend starts, on every path here: relaxed SIMD on where it can be.
  enableRelaxedSimd();
  if (threadsArg) {
    const threads = Number(threadsArg.slice('--threads='.length));
    const chosen = await selectBackend({ prefer: 'wasm', allowTensorflow: false, env: {}, threads, trainingKernels: !native });
    console.log(`wasm: ${chosen.reason}`);
  } else {
    await tf.setBackend('wasm');
  }
  await tf.ready();
  // Which build of our conv kernels the Winograd columns run (default: relaxed SIMD where the engine has it).
  const buildArg = process.argv.find((a) => a.startsWith('--build='))?.slice('--build='.length);
  if (buildArg === 'relaxed' || buildArg === 'simd128') setConvKernelsBuild(buildArg);
  else if (buildArg !== undefined) throw new Error(`kernel-bench: --build must be relaxed or simd128, got '${buildArg}'`);
  if (process.argv.includes('pointwise')) {
    console.log(`conv kernels build: ${convKernelsBuild()}`);
    pointwiseBench();
    return;
  }
  if (process.argv.includes('winograd')) {
    console.log(`conv kernels build: ${convKernelsBuild()}`);
    winogradBench();
    return;
  }
  const engine = tf.engine();
  console.log(`wasm kernels (${native ? 'tfjs built-in where present' : '@fracture/backend'}), best of 3, ms`);
  for (const s of SHAPES) {
    const filterShape: [number, number, number, number] = s.depthwise ? [s.k, s.k, s.x[3], 1] : [s.k, s.k, s.x[3], s.co];
    const x = tf.randomUniform(s.x) as tf.Tensor4D;
    const w = tf.randomUniform(filterShape) as tf.Tensor4D;
    const y = s.depthwise ? tf.depthwiseConv2d(x, w, s.stride, s.pad) : tf.conv2d(x, w, s.stride, s.pad);
    const dy = tf.randomUniform(y.shape);
    const flops = 2 * y.size * s.k * s.k * (s.depthwise ? 1 : s.x[3]);
    const forward = time(() => (s.depthwise ? tf.depthwiseConv2d(x, w, s.stride, s.pad) : tf.conv2d(x, w, s.stride, s.pad)));
    const attrs = { strides: s.stride, pad: s.pad, dilations: 1, dataFormat: 'NHWC' };
    const run = (kernel: string, inputs: Record<string, tf.Tensor>, extra: Record<string, unknown>) => () =>
      engine.runKernel(kernel, inputs, { ...attrs, ...extra } as never) as tf.Tensor;
    const filterKernel = s.depthwise ? 'DepthwiseConv2dNativeBackpropFilter' : 'Conv2DBackpropFilter';
    const inputKernel = s.depthwise ? 'DepthwiseConv2dNativeBackpropInput' : 'Conv2DBackpropInput';
    const has = (k: string) => tf.getKernel(k, 'wasm') != null;
    const filterMs = has(filterKernel) ? time(run(filterKernel, { x, dy }, { filterShape })) : NaN;
    const inputMs = has(inputKernel) ? time(run(inputKernel, { dy, filter: w }, { inputShape: s.x })) : NaN;
    const g = (ms: number) => (Number.isNaN(ms) ? '   n/a' : `${ms.toFixed(1).padStart(7)} (${(flops / ms / 1e6).toFixed(1)} GFLOP/s)`);
    console.log(`${s.label.padEnd(22)} forward ${g(forward)}  dW ${g(filterMs)}  dX ${g(inputMs)}`);
    tf.dispose([x, w, y, dy]);
  }
}

// [label, map size, Ci, Co]: ResNet18's four stages, then the custom CNN's 'same' 3x3 convolutions (its stem's
// three input channels are the worst case for Winograd: the transforms cost as much as the products), then small
// channel counts.
const WINOGRAD_SHAPES: [string, number, number, number][] = [
  ['resnet 56x56x64', 56, 64, 64],
  ['resnet 28x28x128', 28, 128, 128],
  ['resnet 14x14x256', 14, 256, 256],
  ['resnet 7x7x512', 7, 512, 512],
  ['cnn 224x224 3>32', 224, 3, 32],
  ['cnn 112x112 32>64', 112, 32, 64],
  ['cnn 56x56 64>128', 56, 64, 128],
  ['cnn 28x28 128>128', 28, 128, 128],
  // where the channel threshold of the rule in winograd-choice.ts comes from
  ['probe 56x56 8>8', 56, 8, 8],
  ['probe 56x56 16>16', 56, 16, 16],
  ['probe 56x56 16>3', 56, 16, 3],
];

/** ms and GFLOP/s (direct-convolution FLOPs, 2·N·OH·OW·9·Ci·Co) of one convolution on each path. */
function winogradBench(): void {
  const engine = tf.engine();
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  console.log('stride-1 3x3 convolutions (same), best of 5, ms (GFLOP/s as direct convolution)');
  const threaded = threadsOf(tf.backend() as WasmBackendLike) > 1;
  const one = threaded ? ['Winograd 1 thread'] : [];
  const ops = (process.argv.find((a) => a.startsWith('--ops='))?.slice('--ops='.length) ?? 'forward,dx,dw').split(',');
  const header = ['XNNPACK', 'Winograd', ...one];
  const columns = [
    ...(ops.includes('forward') ? header.map((h) => `forward ${h}`) : []),
    ...(ops.includes('dx') ? header.map((h) => `dX ${h}`) : []),
    ...(ops.includes('dw') ? ['columns', 'Winograd', ...one].map((h) => `dW ${h}`) : []),
  ];
  console.log(`layer               batch  ${columns.map((h) => h.padEnd(18)).join('')}`);
  for (const batch of [8, 16]) {
    for (const [label, size, ci, co] of WINOGRAD_SHAPES) {
      if (only != null && !label.startsWith(only)) continue;
      const shape: [number, number, number, number] = [batch, size, size, ci];
      const x = tf.randomUniform(shape) as tf.Tensor4D;
      const w = tf.randomUniform([3, 3, ci, co], -0.1, 0.1) as tf.Tensor4D;
      const dy = tf.randomUniform([batch, size, size, co]) as tf.Tensor4D;
      const flops = 2 * batch * size * size * 9 * ci * co;
      const forward = () => tf.conv2d(x, w, 1, 'same');
      const inputGradient = () => engine.runKernel(
        'Conv2DBackpropInput', { dy, filter: w }, { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: shape } as never,
      ) as tf.Tensor;
      const filterGradient = () => engine.runKernel(
        'Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, ci, co] } as never,
      ) as tf.Tensor;
      const cells: string[] = [];
      const selected = [
        ...(ops.includes('forward') ? [forward] : []),
        ...(ops.includes('dx') ? [inputGradient] : []),
        ...(ops.includes('dw') ? [filterGradient] : []),
      ];
      for (const op of selected) {
        // On the threaded build, Winograd also on the calling thread alone: what the worker threads add.
        const paths: [WinogradPolicy, boolean][] = [['never', true], ['always', true], ...(threaded ? [['always', false] as [WinogradPolicy, boolean]] : [])];
        for (const [path, workers] of paths) {
          const previous = setWinogradPolicy(path);
          const previousWorkers = setConvKernelWorkersEnabled(workers);
          const ms = time(op, 5);
          setWinogradPolicy(previous);
          setConvKernelWorkersEnabled(previousWorkers);
          cells.push(`${ms.toFixed(1).padStart(6)} (${(flops / ms / 1e6).toFixed(1).padStart(5)})`);
        }
      }
      console.log(`${label.padEnd(20)}${String(batch).padStart(5)}  ${cells.map((c) => c.padEnd(18)).join('')}`);
      tf.dispose([x, w, dy]);
    }
  }
}

// [map size, Ci, Co]: MobileNetV2's expansions and projections, one or two per resolution.
const POINTWISE_SHAPES: [number, number, number][] = [
  [112, 32, 16], [112, 16, 96], [56, 96, 24], [56, 24, 144], [56, 144, 24], [28, 32, 192], [28, 192, 32],
  [14, 64, 384], [14, 384, 64], [14, 96, 576], [7, 160, 960], [7, 960, 160], [7, 320, 1280],
];

/** ms and GFLOP/s (2·N·H·W·Ci·Co) of one pointwise filter gradient on each path, batch 8. */
function pointwiseBench(): void {
  const engine = tf.engine();
  const threaded = threadsOf(tf.backend() as WasmBackendLike) > 1;
  console.log(`1x1 filter gradients, batch 8, best of 5, ms (GFLOP/s)`);
  console.log(`layer              columns          product          ${threaded ? 'product 1 thread' : ''}`);
  for (const [size, ci, co] of POINTWISE_SHAPES) {
    const shape: [number, number, number, number] = [8, size, size, ci];
    const x = tf.randomUniform(shape) as tf.Tensor4D;
    const dy = tf.randomUniform([8, size, size, co]) as tf.Tensor4D;
    const flops = 2 * 8 * size * size * ci * co;
    const filterGradient = () => engine.runKernel(
      'Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [1, 1, ci, co] } as never,
    ) as tf.Tensor;
    const cells: string[] = [];
    for (const [product, workers] of [[false, true], [true, true], ...(threaded ? [[true, false]] : [])] as [boolean, boolean][]) {
      const previous = setPointwiseFilterGradientEnabled(product);
      const previousWorkers = setConvKernelWorkersEnabled(workers);
      const ms = time(filterGradient, 5);
      setPointwiseFilterGradientEnabled(previous);
      setConvKernelWorkersEnabled(previousWorkers);
      cells.push(`${ms.toFixed(1).padStart(6)} (${(flops / ms / 1e6).toFixed(1).padStart(5)})`);
    }
    console.log(`${`${size}x${size} ${ci}>${co}`.padEnd(19)}${cells.map((c) => c.padEnd(17)).join('')}`);
    tf.dispose([x, dy]);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
