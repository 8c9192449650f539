import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { makeBatchMatMulConfig, makeFusedMatMulConfig } from './kernels/batch-mat-mul';
import { makeCastConfig } from './kernels/cast';
import { makeConv2DConfig, makeFusedConv2DConfig } from './kernels/conv2d';
import { convGradientKernelConfigs } from './kernels/conv-gradient-kernels';
import { rememberPlainMatMul } from './kernels/filter-gradient-gemm';
import { makeMeanConfig, makeSumConfig } from './kernels/leading-axes-reduction';
import { makeMaxPoolGradConfig } from './kernels/max-pool-grad';
import { makeFusedBatchNormConfig } from './kernels/fused-batch-norm';
import { BATCH_NORM_GRAD_KERNEL, makeBatchNormGradConfig } from './kernels/batch-norm-gradient';
import { makeIdentityConfig, makeSliceConfig, makeTileConfig } from './kernels/memory-kernels';
import { makeMaximumConfig, makeMinimumConfig } from './kernels/scalar-min-max';
import { makeTransposeConfig } from './kernels/transpose';
import { registerBroadcastReductionGradients } from './reduction-gradients';
import { guardWasmHeap } from './wasm-heap-guard';

type KernelFactory = (original: KernelConfig | undefined) => KernelConfig;

// Replacements receive the wasm build's own kernel so that inputs they do not specialise for still run correctly.
const FACTORIES: Record<string, KernelFactory> = {
  ...Object.fromEntries(convGradientKernelConfigs.map((config) => [config.kernelName, () => config])),
  Conv2D: makeConv2DConfig,
  FusedConv2D: makeFusedConv2DConfig,
  Tile: makeTileConfig,
  Slice: makeSliceConfig,
  MaxPoolGrad: makeMaxPoolGradConfig,
  Sum: makeSumConfig,
  Mean: makeMeanConfig,
  Transpose: makeTransposeConfig,
  BatchMatMul: (original) => {
    rememberPlainMatMul(original);
    return makeBatchMatMulConfig(original);
  },
  _FusedMatMul: makeFusedMatMulConfig,
  Identity: makeIdentityConfig,
  FusedBatchNorm: makeFusedBatchNormConfig,
  Minimum: makeMinimumConfig,
  Maximum: makeMaximumConfig,
  Cast: makeCastConfig,
  // Not a tfjs kernel: asked for by name by @fracture/models' batch norm (see batch-norm-gradient.ts).
  [BATCH_NORM_GRAD_KERNEL]: makeBatchNormGradConfig,
};

/** Every kernel this package registers for the `wasm` backend. */
export const WASM_TRAINING_KERNELS: readonly string[] = Object.keys(FACTORIES);

const ours = new WeakSet<KernelConfig>();

/**
 * Registers, for tfjs's `wasm` backend, the kernels it lacks or runs slowly on the training path of the four
 * fracture models (see `WASM_TRAINING_KERNELS`). Idempotent. Can be called before or after `setBackend('wasm')`.
 * When the wasm backend is already running, also turns heap exhaustion into a clear error (`guardWasmHeap`).
 * Also replaces tfjs's gradients of Sum and Mean, for every backend, with equal ones that do not build a tensor of
 * ones in JavaScript (see reduction-gradients.ts).
 */
export function registerWasmTrainingKernels(): void {
  guardWasmHeap();
  registerBroadcastReductionGradients();
  for (const [kernelName, factory] of Object.entries(FACTORIES)) {
    const existing = getKernel(kernelName, 'wasm');
    if (existing != null && ours.has(existing)) continue;
    const config = factory(existing);
    // tfjs refuses to register a kernel name twice, so a built-in one goes first.
    if (existing != null) unregisterKernel(kernelName, 'wasm');
    registerKernel(config);
    ours.add(config);
  }
}
