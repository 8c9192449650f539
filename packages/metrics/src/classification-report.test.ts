import { classificationReport } from './classification-report';

describe('classificationReport', () => {
  // Hand-laid-out expectation for yTrue [0,0,1,1,1], yPred [0,1,1,1,0]:
  // class 0: P 1/2, R 1/2; class 1: P 2/3, R 2/3; accuracy 3/5.
  test('text layout and dict keys as scikit-learn', () => {
    const r = classificationReport([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], { targetNames: ['fractured', 'not fractured'] });
    const expected = [
      '               precision    recall  f1-score   support',
      '',
      '    fractured       0.50      0.50      0.50         2',
      'not fractured       0.67      0.67      0.67         3',
      '',
      '     accuracy                           0.60         5',
      '    macro avg       0.58      0.58      0.58         5',
      ' weighted avg       0.60      0.60      0.60         5',
      '',
    ].join('\n');
    expect(r.text).toBe(expected);
    expect(Object.keys(r.dict)).toEqual(['fractured', 'not fractured', 'accuracy', 'macro avg', 'weighted avg']);
    expect(r.dict.accuracy).toBeCloseTo(0.6, 15);
    const macro = r.dict['macro avg'] as { precision: number; recall: number; 'f1-score': number; support: number };
    expect(macro.precision).toBeCloseTo(7 / 12, 15);
    expect(macro['f1-score']).toBeCloseTo(7 / 12, 15);
    expect(macro.support).toBe(5);
  });

  test('errors name the function', () => {
    expect(() => classificationReport([0, 1], [0, 1], { targetNames: ['a'] })).toThrow('classificationReport: 1 targetNames for 2 labels');
    expect(() => classificationReport([0, 1], [0, 1], { digits: -1 })).toThrow('classificationReport: digits');
  });
});
