/**
 * @fracture/backend chooses the fastest TensorFlow.js engine that starts on the machine (`selectBackend`:
 * tfjs-node-gpu, tfjs-node, wasm with SIMD, cpu; `FRACTURE_BACKEND` overrides) and completes tfjs's wasm backend
 * for training (`registerWasmTrainingKernels`): convolution and depthwise-convolution gradients composed from
 * XNNPACK's forward kernels, and faster versions of the slow kernels on the training path. `accumulateGradients`
 * and `trainStepAccumulated` give an effective batch larger than the wasm heap holds.
 *
 * @packageDocumentation
 */

export { selectBackend, ENGINE_NAMES } from './select-backend';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './register-wasm-training-kernels';
export { accumulateGradients, trainStepAccumulated } from './accumulate-gradients';
export { explainWasmTrap, guardWasmHeap } from './wasm-heap-guard';
export { detectRelaxedSimd, enableRelaxedSimd, relaxedSimdAvailable } from './relaxed-simd';
export type {
  AccumulateGradientsOptions,
  AccumulatedGradients,
  BackendAttempt,
  BackendSelection,
  BatchLoss,
  EngineName,
  RelaxedSimdStatus,
  SelectBackendOptions,
} from './types';
