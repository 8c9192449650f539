import { MODEL_NAMES } from '@fracture/models';
import { inferenceBatchSize, WASM_INFERENCE_BATCH, WASM_MICRO_BATCH } from './wasm-batch-sizes';

describe('wasm batch sizes', () => {
  test('inference batches are capped on wasm only, and never raised above the request', () => {
    expect(inferenceBatchSize('efficientnet-b3', 'wasm')).toBe(8);
    expect(inferenceBatchSize('efficientnet-b3', 'wasm', 4)).toBe(4);
    expect(inferenceBatchSize('efficientnet-b3', 'cpu')).toBe(32);
    expect(inferenceBatchSize('efficientnet-b3', 'tensorflow', 64)).toBe(64);
    expect(inferenceBatchSize('cnn', 'wasm', 64)).toBe(32);
  });

  test('every model has a size, and inference never needs smaller batches than training micro-batches', () => {
    for (const name of MODEL_NAMES) {
      expect(WASM_MICRO_BATCH[name]).toBeGreaterThanOrEqual(1);
      expect(WASM_INFERENCE_BATCH[name]).toBeGreaterThanOrEqual(WASM_MICRO_BATCH[name]);
    }
  });
});
