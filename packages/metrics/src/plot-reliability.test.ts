import { chartLabels as y, chartScoresA as a, chartScoresB as b, expectDrawnChart } from '../test/png-inspect';
import { expectedCalibrationError, reliabilityBins } from './calibration';
import { plotReliability } from './plot-reliability';
import { plotReliabilityPng } from './plot-png';

describe('plotReliability', () => {
  test('legend with ECE, diagonal, count histogram; PNG', () => {
    const series = [
      { name: 'model A', bins: reliabilityBins(y, a, { positiveLabel: 0, nBins: 5 }) },
      { name: 'model B', bins: reliabilityBins(y, b, { positiveLabel: 0, nBins: 5 }) },
    ];
    const svg = plotReliability(series);
    const ece = expectedCalibrationError(y, a, { positiveLabel: 0, nBins: 5 }).ece;
    expect(svg).toContain(`model A (ECE = ${ece.toFixed(3)})`);
    expect(svg).toContain('Perfectly calibrated');
    expect(svg).toContain('>Count<');
    expectDrawnChart(plotReliabilityPng(series, { scale: 1 }), 640, 680);
  });

  test('bad input names the function', () => {
    expect(() => plotReliability({ name: 'r', bins: [] })).toThrow("plotReliability: series 'r' has no bins");
  });
});
