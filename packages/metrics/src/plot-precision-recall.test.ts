import { chartLabels as y, chartScoresA as a, expectDrawnChart } from '../test/png-inspect';
import { plotPrecisionRecall } from './plot-precision-recall';
import { plotPrecisionRecallPng } from './plot-png';
import { averagePrecision, precisionRecallCurve } from './precision-recall-curve';

describe('plotPrecisionRecall', () => {
  test('legend with average precision, chance line at the prevalence; PNG', () => {
    const pr = [{ name: 'model A', ...precisionRecallCurve(y, a, { positiveLabel: 0 }) }];
    const svg = plotPrecisionRecall(pr, { prevalence: 0.5 });
    expect(svg).toContain(`model A (AP = ${averagePrecision(y, a, { positiveLabel: 0 }).toFixed(3)})`);
    expect(svg).toContain('Chance (AP = 0.500)');
    expect(svg).toContain('Recall (sensitivity)');
    expectDrawnChart(plotPrecisionRecallPng(pr, { scale: 1 }), 640, 560);
  });

  test('bad input names the function', () => {
    expect(() => plotPrecisionRecall({ name: 'p', precision: [1, 1], recall: [1, 0] }, { prevalence: 2 })).toThrow('plotPrecisionRecall: prevalence must be in [0, 1]');
    expect(() => plotPrecisionRecall([])).toThrow('plotPrecisionRecall: expected at least one curve');
  });
});
