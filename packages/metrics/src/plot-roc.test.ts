import { chartLabels as y, chartScoresA as a, chartScoresB as b, expectDrawnChart } from '../test/png-inspect';
import { plotRoc } from './plot-roc';
import { plotRocPng } from './plot-png';
import { rocCurve } from './roc-curve';

const roc = [
  { name: 'model A', ...rocCurve(y, a, { positiveLabel: 0 }) },
  { name: 'model <B>', ...rocCurve(y, b, { positiveLabel: 0 }) },
];

describe('plotRoc', () => {
  test('SVG with title, axis labels, legend with AUC, chance line; PNG at 2x', () => {
    const svg = plotRoc(roc, { title: 'Test & validation' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="560"')).toBe(true);
    expect(svg).toContain('Test &amp; validation');
    expect(svg).toContain('False positive rate');
    expect(svg).toContain('True positive rate');
    expect(svg).toContain('model &lt;B&gt; (AUC = ');
    expect(svg).toContain('Chance (AUC = 0.500)');
    expectDrawnChart(plotRocPng(roc), 1280, 1120);
  });

  test('legend shows the given AUC, else the trapezoid of the points', () => {
    expect(plotRoc({ name: 'm', fpr: [0, 0, 1], tpr: [0, 1, 1] })).toContain('m (AUC = 1.000)');
    expect(plotRoc({ name: 'm', fpr: [0, 1], tpr: [0, 1], auc: 0.25 })).toContain('m (AUC = 0.250)');
  });

  test('bad input names the function', () => {
    expect(() => plotRoc([])).toThrow('plotRoc: expected at least one curve');
    expect(() => plotRoc({ name: 'x', fpr: [0, NaN], tpr: [0, 1] })).toThrow("plotRoc: curve 'x' has non-finite points");
    expect(() => plotRoc(roc, { width: 10 })).toThrow('plotRoc: width and height must be in [200, 4000]');
  });
});
