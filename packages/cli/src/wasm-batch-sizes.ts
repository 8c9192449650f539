import type { ModelName } from '@fracture/models';

/**
 * Micro-batch sizes that keep a batch-32 training step inside the wasm backend's 4 GiB heap at the
 * study's input sizes, with room to spare (measured in @fracture/backend's benchmark: tensor peaks of
 * 1.8, 1.6 and 2.0 GiB for ResNet18, MobileNetV2 and EfficientNet-B3, and a 2.1 GiB heap); gradients
 * are accumulated to the full batch, so the update is the same (batch-norm statistics aside: larger
 * micro-batches are closer to the study's batch of 32).
 */
export const WASM_MICRO_BATCH: Readonly<Record<ModelName, number>> = { cnn: 32, resnet18: 16, mobilenetv2: 8, 'efficientnet-b3': 2 };

/**
 * Largest inference batch for validation and evaluation on the wasm backend. The heap never shrinks,
 * and after EfficientNet-B3's training steps it already holds about 2.5 GB; one batch of 32 at
 * 300 px then needs 1.3 GB more (expanded 144-channel activations at 150 x 150), and real data tipped
 * it over 4 GiB. Inference results do not depend on the batch size.
 */
export const WASM_INFERENCE_BATCH: Readonly<Record<ModelName, number>> = { cnn: 32, resnet18: 32, mobilenetv2: 16, 'efficientnet-b3': 8 };

/** The inference batch to use for `modelName` on `backend`: `requested`, capped on wasm. */
export function inferenceBatchSize(modelName: ModelName, backend: string, requested = 32): number {
  return backend === 'wasm' ? Math.min(requested, WASM_INFERENCE_BATCH[modelName]) : requested;
}
