import { assertLabels, assertProbabilities, assertSameLength, assertScoreMatrix, isScoreMatrix } from './input-validation';
import { binarize, encodeLabels, resolveMatrixLabels } from './label-encoding';
import type { CalibrationOptions, ExpectedCalibrationError, Label, ReliabilityBin } from './types';

interface Outcomes {
  confidence: number[];
  outcome: number[];
  mode: 'binary' | 'top-label';
}

function outcomes(fn: string, yTrue: readonly Label[], probs: readonly number[] | readonly (readonly number[])[], options: CalibrationOptions): Outcomes {
  assertLabels(fn, 'yTrue', yTrue);
  if (!Array.isArray(probs) || probs.length === 0) throw new Error(`${fn}: probs is empty`);
  assertSameLength(fn, 'yTrue', yTrue, 'probs', probs);
  if (isScoreMatrix(probs)) {
    const labels = resolveMatrixLabels(fn, options.labels, yTrue, Array.isArray(probs[0]) ? probs[0].length : 0);
    assertScoreMatrix(fn, 'probs', probs, labels.length);
    const encoded = encodeLabels(fn, 'yTrue', yTrue, labels);
    const confidence: number[] = [];
    const outcome: number[] = [];
    probs.forEach((row, i) => {
      assertProbabilities(fn, `probs[${i}]`, row);
      let best = 0;
      for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
      confidence.push(row[best]);
      outcome.push(best === encoded[i] ? 1 : 0);
    });
    return { confidence, outcome, mode: 'top-label' };
  }
  const p = probs as readonly number[];
  assertProbabilities(fn, 'probs', p);
  return { confidence: [...p], outcome: Array.from(binarize(fn, yTrue, options.positiveLabel)), mode: 'binary' };
}

function binsOf(fn: string, { confidence, outcome }: Outcomes, nBins: number): ReliabilityBin[] {
  if (!Number.isInteger(nBins) || nBins < 1) throw new Error(`${fn}: nBins must be a positive integer, got ${nBins}`);
  // Edges as numpy.linspace(0, 1, nBins + 1) computes them, so samples on an edge land where sklearn puts them.
  const step = 1 / nBins;
  const edges = Array.from({ length: nBins + 1 }, (_, i) => (i === nBins ? 1 : i * step));
  const count = new Array<number>(nBins).fill(0);
  const sumP = new Array<number>(nBins).fill(0);
  const sumY = new Array<number>(nBins).fill(0);
  for (let i = 0; i < confidence.length; i++) {
    // numpy.searchsorted(edges[1:-1], p, side='left'): the number of inner edges strictly below p.
    let b = 0;
    while (b < nBins - 1 && edges[b + 1] < confidence[i]) b++;
    count[b] += 1;
    sumP[b] += confidence[i];
    sumY[b] += outcome[i];
  }
  return count.map((n, b) => ({
    lower: edges[b],
    upper: edges[b + 1],
    count: n,
    meanPredicted: n === 0 ? NaN : sumP[b] / n,
    fractionPositive: n === 0 ? NaN : sumY[b] / n,
  }));
}

/**
 * Equal-width bins of a reliability diagram. For binary probabilities the non-empty bins equal
 * scikit-learn's `calibration_curve(strategy='uniform')` (`prob_pred` = meanPredicted,
 * `prob_true` = fractionPositive); for a probability matrix each sample contributes its top-class
 * confidence and whether that class was right.
 */
export function reliabilityBins(
  yTrue: readonly Label[],
  probs: readonly number[] | readonly (readonly number[])[],
  options: CalibrationOptions = {},
): ReliabilityBin[] {
  const fn = 'reliabilityBins';
  return binsOf(fn, outcomes(fn, yTrue, probs, options), options.nBins ?? 10);
}

/**
 * Expected calibration error Σ_b (n_b / N) |fractionPositive_b − meanPredicted_b| over equal-width
 * bins (default 10), and the maximum gap (MCE). Not in scikit-learn; the bins are those of
 * `reliabilityBins`.
 */
export function expectedCalibrationError(
  yTrue: readonly Label[],
  probs: readonly number[] | readonly (readonly number[])[],
  options: CalibrationOptions = {},
): ExpectedCalibrationError {
  const fn = 'expectedCalibrationError';
  const o = outcomes(fn, yTrue, probs, options);
  const bins = binsOf(fn, o, options.nBins ?? 10);
  let ece = 0;
  let mce = 0;
  for (const bin of bins) {
    if (bin.count === 0) continue;
    const gap = Math.abs(bin.fractionPositive - bin.meanPredicted);
    ece += (bin.count / o.confidence.length) * gap;
    mce = Math.max(mce, gap);
  }
  return { ece, mce, bins, mode: o.mode };
}
