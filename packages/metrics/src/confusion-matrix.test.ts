import { confusionMatrix } from './confusion-matrix';

// Hand-computed three-class case: rows are true classes, columns predictions.
//            pred 0  pred 1  pred 2
// true 0        2       0       0
// true 1        0       1       1
// true 2        0       1       1
const yTrue = [0, 1, 2, 2, 1, 0];
const yPred = [0, 2, 2, 1, 1, 0];

describe('confusionMatrix', () => {
  test('counts true rows against predicted columns', () => {
    expect(confusionMatrix(yTrue, yPred)).toEqual({ labels: [0, 1, 2], matrix: [[2, 0, 0], [0, 1, 1], [0, 1, 1]] });
  });

  test('follows an explicit label order, including a class never seen', () => {
    expect(confusionMatrix([1, 0, 1], [1, 1, 1], { labels: [1, 0, 2] }).matrix).toEqual([[2, 0, 0], [1, 0, 0], [0, 0, 0]]);
  });

  test('string labels sort by code point by default', () => {
    expect(confusionMatrix(['b', 'a'], ['a', 'a']).labels).toEqual(['a', 'b']);
  });

  test('rejects empty input, length mismatch, unknown or mixed labels, duplicated label order', () => {
    expect(() => confusionMatrix([], [])).toThrow('confusionMatrix: yTrue is empty');
    expect(() => confusionMatrix([0, 1], [0])).toThrow('confusionMatrix: yTrue has 2 entries but yPred has 1');
    expect(() => confusionMatrix([0, 3], [0, 1], { labels: [0, 1] })).toThrow('confusionMatrix: yTrue[1] = 3 is not one of the labels [0,1]');
    expect(() => confusionMatrix([0, 'a'], [0, 0])).toThrow('mixes numbers and strings');
    expect(() => confusionMatrix([0, NaN], [0, 0])).toThrow('yTrue[1] is NaN');
    expect(() => confusionMatrix([0], [0], { labels: [0, 0] })).toThrow('lists 0 twice');
  });
});

