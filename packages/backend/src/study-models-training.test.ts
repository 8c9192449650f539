import { createModel, MODEL_NAMES } from '@fracture/models';
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
// Freshly initialised, these nets are ill-conditioned at small sizes: channels that ReLU / ReLU6 leaves constant
// give the next batch norm a near-zero variance, and 1/sqrt(var + eps) amplifies rounding. Scaling the input by
// 1 + 1e-6 moves MobileNetV2's one-step updates by up to 1e-1 relative on the cpu backend itself, so no float32
// implementation can meet 1e-4 there. The large nets are therefore held to: no further from cpu than cpu is from
// itself under that perturbation (times 2), and never worse than the strict bounds would need where the step is
// well conditioned.
const slow = process.env.FRACTURE_SLOW_TESTS === '1';
const names = MODEL_NAMES.filter((name) => slow || name === 'cnn');
if (!slow) {
  console.info('study-models-training: ResNet18, MobileNetV2, EfficientNet-B3 skipped (set FRACTURE_SLOW_TESTS=1 to run them)');
}

describe('one training step of each study model: wasm equals cpu', () => {
  test.each(names.map((name) => [name]))('%s', async (name) => {
    const { size, batch } = SETUP[name]!;
    const t0 = Date.now();
    const strict = name === 'cnn';
    const result = await stepOnBothBackends(() => createModel(name, { inputSize: size, seed: 3 }), batch, size, {
      sensitivity: !strict,
    });
    const { sensitivity } = result;
    console.log(
      `${name}: loss cpu ${result.cpuLoss} wasm ${result.wasmLoss}, weights ${result.weightError.toExponential(2)}, ` +
        `updates ${result.updateError.toExponential(2)} (cpu vs perturbed cpu: ${sensitivity.weightError.toExponential(2)}, ` +
        `${sensitivity.updateError.toExponential(2)}), ${Date.now() - t0} ms`,
    );
    expect(Math.abs(result.wasmLoss - result.cpuLoss) / Math.abs(result.cpuLoss)).toBeLessThan(1e-4);
    expect(result.weightError).toBeLessThan(Math.max(1e-4, 2 * sensitivity.weightError));
    expect(result.updateError).toBeLessThan(Math.max(1e-3, 2 * sensitivity.updateError));
  }, 1_200_000);
});
