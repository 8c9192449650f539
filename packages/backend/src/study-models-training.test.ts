import { createModel, MODEL_NAMES } from '@fracture/models';
import { batchNormGradientKernelCalls } from './kernels/batch-norm-gradient';
import { onBackend } from './testing/backends';
import { stepOnBothBackends } from './testing/train-step';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels';

// Small inputs keep the cpu backend's step short. Batch norm over very few values is ill-conditioned (at 32 px
// ResNet18's last stage is 1 x 1, so with batch 2 each channel normalises 2 numbers and float rounding differences
// between any two backends grow to 1e-3), so the nets that downsample 32x get inputs and batches that leave their last
// batch norms at least 8 values per channel.
const SETUP: Record<string, { size: number; batch: number }> = {
  cnn: { size: 32, batch: 2 },
  resnet18: { size: 64, batch: 2 },
  mobilenetv2: { size: 64, batch: 2 },
  'efficientnet-b3': { size: 64, batch: 2 },
};

beforeAll(async () => {
  registerWasmTrainingKernels();
  await onBackend('wasm', () => undefined);
});

// The cpu backend's convolution gradients run at a few MFLOP/s, so a step of the three large nets on it takes minutes;
// they run when FRACTURE_SLOW_TESTS=1, the custom CNN always.
//
// Freshly initialised, MobileNetV2 and EfficientNet-B3 are ill-conditioned at small sizes: channels that ReLU6 leaves
// constant give the next batch norm a near-zero variance, and 1/sqrt(var + eps) amplifies rounding; and the β of
// every projection batch norm in EfficientNet-B3 (block.3.1) feeds a 1x1 convolution and another batch norm, which
// cancels a per-channel shift, so its update is a cancellation of large terms that rounding alone moves by percents
// (2.9e-2 between wasm and cpu there, 8.5e-3 between cpu and cpu with the input scaled by 1 + 1e-6, and the same
// pattern, 3-10x, on every such β). No float32 implementation can hold those single tensors to 1e-4. These two nets
// are therefore held to the whole step as one vector (the direction training moves in): no further from cpu than
// 1e-3, or than twice cpu's own distance under that perturbation. The custom CNN and ResNet18 are well conditioned
// and keep the strict per-tensor bounds.
const slow = process.env.FRACTURE_SLOW_TESTS === '1';
const names = MODEL_NAMES.filter((name) => slow || name === 'cnn');
if (!slow) {
  console.info('study-models-training: ResNet18, MobileNetV2, EfficientNet-B3 skipped (set FRACTURE_SLOW_TESTS=1 to run them)');
}

describe('one training step of each study model: wasm equals cpu', () => {
  test.each(names.map((name) => [name]))('%s', async (name) => {
    const { size, batch } = SETUP[name]!;
    const t0 = Date.now();
    const strict = name === 'cnn' || name === 'resnet18';
    const fusedBatchNormBefore = batchNormGradientKernelCalls();
    const result = await stepOnBothBackends(() => createModel(name, { inputSize: size, seed: 3 }), batch, size, {
      sensitivity: !strict,
    });
    // Every batch norm of the three torchvision nets has a multiple of 4 channels: wasm ran @fracture/models'
    // backward pass on our fused kernel (cpu composed it from tfjs ops), so the comparison covers both. The
    // study's custom CNN has no batch norm.
    if (name !== 'cnn') expect(batchNormGradientKernelCalls()).toBeGreaterThan(fusedBatchNormBefore);
    const { sensitivity } = result;
    console.log(
      `${name}: loss cpu ${result.cpuLoss} wasm ${result.wasmLoss}, weights ${result.weightError.toExponential(2)}, ` +
        `updates ${result.updateError.toExponential(2)}, step ${result.stepError.toExponential(2)} (cpu vs perturbed cpu: ` +
        `${sensitivity.weightError.toExponential(2)}, ${sensitivity.updateError.toExponential(2)}, ` +
        `${sensitivity.stepError.toExponential(2)}), ${Date.now() - t0} ms`,
    );
    expect(Math.abs(result.wasmLoss - result.cpuLoss) / Math.abs(result.cpuLoss)).toBeLessThan(1e-4);
    if (strict) {
      expect(result.weightError).toBeLessThan(1e-4);
      expect(result.updateError).toBeLessThan(1e-3);
    } else {
      expect(result.stepError).toBeLessThan(Math.max(1e-3, 2 * sensitivity.stepError));
    }
  }, 1_200_000);
});
