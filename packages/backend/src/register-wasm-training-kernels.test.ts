import * as tf from '@tensorflow/tfjs-core';
import { onBackend } from './testing/backends';
import { createMixedModel } from './testing/mixed-model';
import { stepOnBothBackends } from './testing/train-step';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './register-wasm-training-kernels';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await onBackend('wasm', () => undefined);
});

test('registers the kernels training needs and is idempotent', () => {
  for (const name of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']) {
    expect(WASM_TRAINING_KERNELS).toContain(name);
    expect(tf.getKernel(name, 'wasm')).toBeDefined();
  }
  const configs = WASM_TRAINING_KERNELS.map((name) => tf.getKernel(name, 'wasm'));
  registerWasmTrainingKernels();
  expect(WASM_TRAINING_KERNELS.map((name) => tf.getKernel(name, 'wasm'))).toEqual(configs);
});

test('one training step of a network with every layer type of the four models: wasm equals cpu', async () => {
  const result = await stepOnBothBackends(() => createMixedModel(32), 2, 32);
  expect(Math.abs(result.wasmLoss - result.cpuLoss) / Math.abs(result.cpuLoss)).toBeLessThan(1e-4);
  expect(result.weightError).toBeLessThan(1e-4);
  // the step itself, not just the (much larger) weights
  expect(result.updateError).toBeLessThan(1e-3);
});
