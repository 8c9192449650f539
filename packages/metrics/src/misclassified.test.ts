import { misclassified } from './misclassified';

describe('misclassified', () => {
  test('probability matrix: wrong arg-max samples, most confident first', () => {
    const out = misclassified(
      ['a.png', 'b.png', 'c.png', 'd.png'],
      [0, 1, 0, 1],
      [
        [0.9, 0.1], // right
        [0.7, 0.3], // wrong, confidence 0.7
        [0.1, 0.9], // wrong, confidence 0.9
        [0.45, 0.55], // right
      ],
    );
    expect(out).toEqual([
      { id: 'c.png', label: 0, predicted: 1, confidence: 0.9, trueClassProbability: 0.1, index: 2 },
      { id: 'b.png', label: 1, predicted: 0, confidence: 0.7, trueClassProbability: 0.3, index: 1 },
    ]);
  });

  test('binary scores with positiveLabel 0 (fractured) and a threshold', () => {
    // score = P(fractured); predicted fractured (0) when score >= 0.5
    const out = misclassified([1, 2, 3, 4], [0, 1, 1, 0], [0.2, 0.95, 0.3, 0.6], { positiveLabel: 0 });
    expect(out.map((m) => [m.id, m.predicted, m.confidence])).toEqual([
      [2, 0, 0.95],
      [1, 1, 0.8],
    ]);
    expect(misclassified([1, 2], [0, 1], [0.55, 0.2], { positiveLabel: 0, threshold: 0.6 }).map((m) => m.id)).toEqual([1]);
  });

  test('string labels in a matrix follow the given column order', () => {
    const out = misclassified(['x'], ['not fractured'], [[0.8, 0.2]], { labels: ['fractured', 'not fractured'] });
    expect(out[0].predicted).toBe('fractured');
  });

  test('errors: mismatched lengths, missing class, NaN', () => {
    expect(() => misclassified([1], [0, 1], [0.1, 0.2])).toThrow('misclassified: ids has 1 entries but yTrue has 2');
    expect(() => misclassified([1, 2], [1, 1], [0.1, 0.2])).toThrow('misclassified: binary scores need exactly two classes');
    expect(() => misclassified([1, 2], [0, 1], [0.1, NaN])).toThrow('misclassified: scores[1] is NaN');
  });
});
