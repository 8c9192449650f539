import { chartLabels as y, chartScoresA as a, inspectPng } from '../test/png-inspect';
import { confusionMatrix } from './confusion-matrix';
import { plotConfusionMatrix } from './plot-confusion-matrix';
import { plotConfusionMatrixPng } from './plot-png';

describe('plotConfusionMatrix', () => {
  test('counts and row percentages in each cell, axis titles, class names; PNG', () => {
    const cm = confusionMatrix(y, a.map((s) => (s >= 0.5 ? 0 : 1)), { labels: [0, 1] });
    const svg = plotConfusionMatrix(cm, { classNames: ['fractured', 'not fractured'] });
    // row 0 (fractured, 5 samples): 4 predicted fractured = 80.0 %, 1 missed = 20.0 %
    expect(cm.matrix).toEqual([[4, 1], [1, 4]]);
    expect(svg).toContain('>80.0 %<');
    expect(svg).toContain('>20.0 %<');
    expect(svg).toContain('Predicted label');
    expect(svg).toContain('True label');
    expect(svg).toContain('>not fractured<');
    const info = inspectPng(plotConfusionMatrixPng(cm, { classNames: ['fractured', 'not fractured'], scale: 1 }));
    expect(info.inked).toBeGreaterThan(0.2); // the coloured cells
    expect(info.colours).toBeGreaterThan(20);
  });

  test('dark cells get white text, light cells dark text', () => {
    const svg = plotConfusionMatrix({ labels: [0, 1], matrix: [[9, 1], [0, 10]] });
    expect(svg).toMatch(/fill="#ffffff"[^>]*>9</);
    expect(svg).toMatch(/fill="#111111"[^>]*>1</);
  });

  test('bad input names the function', () => {
    expect(() => plotConfusionMatrix({ labels: [0, 1], matrix: [[1, 2]] })).toThrow('plotConfusionMatrix: matrix row 0 has 2 entries, expected 1');
    expect(() => plotConfusionMatrix({ labels: [0], matrix: [[1]] }, { classNames: ['a', 'b'] })).toThrow('plotConfusionMatrix: 2 class names for a 1 x 1 matrix');
  });
});
