/*
 * Per-kernel timing of the composed convolution gradients against the forward convolution on the same shapes
 * (`npm run bench:kernels -w @fracture/backend -- [native] [--threads=n]`). Shapes are ResNet18 / MobileNetV2 layers at 224 px, batch 8.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, selectBackend } from '../src/index';

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
  if (threadsArg) {
    const threads = Number(threadsArg.slice('--threads='.length));
    const chosen = await selectBackend({ prefer: 'wasm', allowTensorflow: false, env: {}, threads, trainingKernels: !native });
    console.log(`wasm: ${chosen.reason}`);
  } else {
    await tf.setBackend('wasm');
  }
  await tf.ready();
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

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
