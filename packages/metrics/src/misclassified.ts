import { assertLabels, assertNonEmpty, assertProbabilities, assertSameLength, assertScoreMatrix, isScoreMatrix } from './input-validation';
import { encodeLabels, resolveLabels, resolveMatrixLabels } from './label-encoding';
import type { Label, MisclassifiedOptions, MisclassifiedSample } from './types';

/**
 * The wrongly classified samples, most confident mistake first (ties keep input order), so a reader
 * can look at the radiographs the model was surest about and got wrong.
 *
 * `scores` is either a probability matrix (`scores[i][c]` for `labels[c]`; the prediction is the
 * arg-max) or, for two classes, the positive-class probability with `positiveLabel` and `threshold`.
 */
export function misclassified(
  ids: readonly (string | number)[],
  yTrue: readonly Label[],
  scores: readonly number[] | readonly (readonly number[])[],
  options: MisclassifiedOptions = {},
): MisclassifiedSample[] {
  const fn = 'misclassified';
  assertNonEmpty(fn, 'ids', ids);
  assertLabels(fn, 'yTrue', yTrue);
  assertSameLength(fn, 'ids', ids, 'yTrue', yTrue);
  if (!Array.isArray(scores) || scores.length === 0) throw new Error(`${fn}: scores is empty`);
  assertSameLength(fn, 'yTrue', yTrue, 'scores', scores);
  const out: MisclassifiedSample[] = [];

  if (isScoreMatrix(scores)) {
    const labels = resolveMatrixLabels(fn, options.labels, yTrue, Array.isArray(scores[0]) ? scores[0].length : 0);
    assertScoreMatrix(fn, 'scores', scores, labels.length);
    const encoded = encodeLabels(fn, 'yTrue', yTrue, labels);
    scores.forEach((row, i) => {
      let best = 0;
      for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
      if (best !== encoded[i]) {
        out.push({ id: ids[i], label: yTrue[i], predicted: labels[best], confidence: row[best], trueClassProbability: row[encoded[i]], index: i });
      }
    });
  } else {
    const p = scores as readonly number[];
    assertProbabilities(fn, 'scores', p);
    const positive = options.positiveLabel ?? 1;
    const labels = resolveLabels(fn, options.labels, yTrue);
    if (labels.length !== 2 || !labels.includes(positive)) {
      throw new Error(
        `${fn}: binary scores need exactly two classes including positiveLabel ${JSON.stringify(positive)}; ` +
          `got ${JSON.stringify(labels)} (pass { labels: [negative, positive] } when a class is absent, or a probability matrix)`,
      );
    }
    encodeLabels(fn, 'yTrue', yTrue, labels);
    const negative = labels[0] === positive ? labels[1] : labels[0];
    const threshold = options.threshold ?? 0.5;
    p.forEach((s, i) => {
      const predicted = s >= threshold ? positive : negative;
      if (predicted !== yTrue[i]) {
        const pPredicted = predicted === positive ? s : 1 - s;
        out.push({ id: ids[i], label: yTrue[i], predicted, confidence: pPredicted, trueClassProbability: 1 - pPredicted, index: i });
      }
    });
  }
  return out.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
}
