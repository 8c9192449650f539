import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../test/setup-backend';
import { torchAvailable, torchReference } from '../test/torch-reference';
import { crossEntropyLoss } from './cross-entropy';

beforeAll(useCpu);

const oneHot = (targets: number[], classes: number) => tf.tidy(() => tf.oneHot(tf.tensor1d(targets, 'int32'), classes));

/** log-softmax of one row, in float64. */
function logSoftmax(row: number[]): number[] {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
  return row.map((x) => x - lse);
}

describe('crossEntropyLoss', () => {
  const logits = [
    [2, 0, -1],
    [0.5, 1.5, 0],
    [-1, 0, 3],
  ];
  const targets = [0, 2, 2];

  function handLoss(smoothing: number, weights: number[] = [1, 1, 1]): number {
    let numerator = 0;
    let denominator = 0;
    logits.forEach((row, i) => {
      const lp = logSoftmax(row);
      const y = targets[i]!;
      const nll = -weights[y]! * lp[y]!;
      const smooth = -lp.reduce((s, l, c) => s + weights[c]! * l, 0);
      numerator += (1 - smoothing) * nll + (smoothing / 3) * smooth;
      denominator += weights[y]!;
    });
    return numerator / denominator;
  }

  test.each([
    ['plain', 0, undefined],
    ['label smoothing 0.1', 0.1, undefined],
    ['class weights', 0, [0.2, 1, 3]],
    ['smoothing and weights', 0.2, [0.2, 1, 3]],
  ] as const)('%s matches the hand-computed PyTorch formula', (_name, smoothing, weights) => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(logits);
    const y = oneHot(targets, 3);
    const loss = crossEntropyLoss(x, y, { labelSmoothing: smoothing, classWeights: weights ? [...weights] : undefined });
    expect(loss.dataSync()[0]).toBeCloseTo(handLoss(smoothing, weights ? [...weights] : undefined), 5);
    tf.dispose([x, y, loss]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('validates shapes and options, naming the function', () => {
    const x = tf.zeros([2, 3]);
    const y = tf.zeros([2, 2]);
    expect(() => crossEntropyLoss(x, y)).toThrow('crossEntropyLoss: logits [2,3] and labels [2,2] differ in shape');
    expect(() => crossEntropyLoss(x, tf.zeros([2, 3]), { labelSmoothing: 1 })).toThrow('crossEntropyLoss: expected labelSmoothing in [0, 1)');
    expect(() => crossEntropyLoss(x, tf.zeros([2, 3]), { classWeights: [1, 1] })).toThrow('crossEntropyLoss: expected 3 class weights, got 2');
    tf.dispose([x, y]);
  });

  (torchAvailable() ? test : test.skip)('loss and gradient match torch.nn.functional.cross_entropy', () => {
    const request = { logits, targets, labelSmoothing: 0.15, classWeights: [0.5, 2, 1] };
    const reference = torchReference<{ crossEntropy: { loss: number; grad: number[][] } }>({ crossEntropy: request }).crossEntropy;
    const x = tf.tensor2d(logits);
    const y = oneHot(targets, 3);
    const lossOf = (z: tf.Tensor) => crossEntropyLoss(z, y, { labelSmoothing: 0.15, classWeights: [0.5, 2, 1] });
    const { value, grad } = tf.valueAndGrad(lossOf)(x);
    expect(value.dataSync()[0]).toBeCloseTo(reference.loss, 5);
    const g = grad.arraySync() as number[][];
    reference.grad.forEach((row, i) => row.forEach((v, j) => expect(g[i]![j]).toBeCloseTo(v, 5)));
    tf.dispose([x, y, value, grad]);
  });
});
