import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { compose, transforms } from '@fracture/preprocess';
import { barImages } from '../test/pattern-data';
import { useCpu } from '../test/setup-backend';
import { weightValues } from '../test/tiny-model';
import { tensorBatchSource } from './tensor-batch-source';
import { train } from './train';
import type { TrainMessage, TrainOptions } from './types';

beforeAll(useCpu);

const base = { backend: 'current', quiet: true, probeKernels: false, epochs: 2, optimizer: { lr: 0.05 } } satisfies Partial<TrainOptions>;

// Flatten + dense: unlike a pooled conv net, it is not flip-invariant, so a flip changes what it learns.
function flatNet(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 1] });
  const flat = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 7 }) }).apply(flat);
  return tfl.model({ inputs: input, outputs: logits as tfl.SymbolicTensor });
}

function messagesOf(sink: TrainMessage[]) {
  return { name: 'sink', onMessage: (message: TrainMessage) => void sink.push(message) };
}

describe('train with augment', () => {
  test("accepts @fracture/preprocess's compose([...]) as it is typed, and runs it with the trainer's generator", async () => {
    const { xs, ys } = barImages(16, 8, 3);
    const flipped = tf.reverse(xs, 2);
    expect(tf.min(xs).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(xs).dataSync()[0]).toBeLessThanOrEqual(1);
    const augmented = flatNet();
    const reference = flatNet();
    // No type assertion: under strict TypeScript the composed Transform must fit `augment` as is.
    const augment = compose([transforms.randomHorizontalFlip(1)]);
    const messages: TrainMessage[] = [];
    await train(augmented, tensorBatchSource(xs, ys, { batchSize: 8 }), { ...base, augment, callbacks: [messagesOf(messages)] });
    // Flipping with probability 1 is deterministic: the same as training on flipped images without augment.
    await train(reference, tensorBatchSource(flipped, ys, { batchSize: 8 }), { ...base });
    const a = weightValues(augmented).flat();
    const b = weightValues(reference).flat();
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));
    expect(messages.filter((m) => m.level === 'warn')).toEqual([]);
    tf.dispose([xs, ys, flipped]);
    augmented.dispose();
    reference.dispose();
  });

  test('warns when augment would receive already normalised batches, where pixel transforms clamp', async () => {
    const { xs, ys } = barImages(8, 8, 5);
    const normalised = tf.div(tf.sub(xs, 0.5), 0.25);
    const model = flatNet();
    const messages: TrainMessage[] = [];
    const before = tf.memory().numTensors;
    await train(model, tensorBatchSource(normalised, ys, { batchSize: 8 }), {
      ...base,
      epochs: 1,
      augment: compose([transforms.randomHorizontalFlip(0.5)]),
      callbacks: [messagesOf(messages)],
    });
    expect(tf.memory().numTensors).toBe(before);
    const warnings = messages.filter((m) => m.level === 'warn').map((m) => m.text);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^train: augment receives batches outside \[0, 1\] \(values -[\d.]+ to [\d.]+\), i\.e\. already normalised; .*createBatchLoader's `transform`/);
    tf.dispose([xs, ys, normalised]);
    model.dispose();
  });
});
