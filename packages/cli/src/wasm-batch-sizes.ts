import type { ModelName } from '@fracture/models';

/**
 * Micro-batch sizes that keep a batch-32 training step inside the wasm backend's 4 GiB heap at the
 * study's input sizes (measured in @fracture/backend's benchmark); gradients are accumulated to the
 * full batch, so the update is the same (batch-norm statistics aside).
 */
export const WASM_MICRO_BATCH: Readonly<Record<ModelName, number>> = { cnn: 32, resnet18: 8, mobilenetv2: 4, 'efficientnet-b3': 1 };

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
