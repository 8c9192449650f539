import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../test/setup-backend';
import { torchAvailable, torchReference } from '../test/torch-reference';
import { clipGradNorm, globalNorm } from './clip-grad-norm';

beforeAll(useCpu);

describe('clipGradNorm', () => {
  test('scales by maxNorm / (norm + 1e-6) when the global norm is larger (3-4-12 gives norm 13)', () => {
    const before = tf.memory().numTensors;
    const grads = [tf.tensor1d([3, 4]), tf.tensor1d([12])];
    const { grads: clipped, norm } = clipGradNorm(grads, 6.5);
    expect(norm.dataSync()[0]).toBeCloseTo(13, 5);
    const coefficient = 6.5 / (13 + 1e-6);
    expect(clipped[0]!.dataSync()[0]).toBeCloseTo(3 * coefficient, 6);
    expect(clipped[0]!.dataSync()[1]).toBeCloseTo(4 * coefficient, 6);
    expect(clipped[1]!.dataSync()[0]).toBeCloseTo(12 * coefficient, 5);
    tf.dispose([...grads, ...clipped, norm]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('leaves gradients below the limit unchanged', () => {
    const grads = [tf.tensor1d([0.3, 0.4])];
    const { grads: clipped, norm } = clipGradNorm(grads, 1);
    expect(Array.from(clipped[0]!.dataSync())).toEqual(Array.from(grads[0]!.dataSync()));
    expect(norm.dataSync()[0]).toBeCloseTo(0.5, 6);
    tf.dispose([...grads, ...clipped, norm]);
  });

  test('global norm of no tensors is 0; maxNorm must be positive', () => {
    const n = globalNorm([]);
    expect(n.dataSync()[0]).toBe(0);
    n.dispose();
    expect(() => clipGradNorm([], 0)).toThrow('clipGradNorm: expected maxNorm > 0, got 0');
  });

  (torchAvailable() ? test : test.skip)('matches torch.nn.utils.clip_grad_norm_', () => {
    const raw = [[0.5, -2, 1.25], [3, 0.1]];
    const reference = torchReference<{ clip: { norm: number; grads: number[][] } }>({ clip: { grads: raw, maxNorm: 1.5 } }).clip;
    const grads = raw.map((g) => tf.tensor1d(g));
    const { grads: clipped, norm } = clipGradNorm(grads, 1.5);
    expect(norm.dataSync()[0]).toBeCloseTo(reference.norm, 5);
    clipped.forEach((g, i) => reference.grads[i]!.forEach((v, j) => expect(g.dataSync()[j]).toBeCloseTo(v, 6)));
    tf.dispose([...grads, ...clipped, norm]);
  });
});
