import { checkSize, document, legend, PALETTE, polyline, unitFrame } from './svg-chart';
import type { PrecisionRecallPlotOptions, PrecisionRecallSeries } from './types';

/**
 * Precision-recall curves of one or more models, drawn as steps (the interpolation average
 * precision integrates), with each model's average precision in the legend and, when `prevalence`
 * is given, the chance line. Returns SVG text.
 */
export function plotPrecisionRecall(series: PrecisionRecallSeries | readonly PrecisionRecallSeries[], options: PrecisionRecallPlotOptions = {}): string {
  const fn = 'plotPrecisionRecall';
  const list = (Array.isArray(series) ? series : [series]) as readonly PrecisionRecallSeries[];
  if (list.length === 0) throw new Error(`${fn}: expected at least one curve`);
  list.forEach((s, i) => {
    if (!s || typeof s.name !== 'string') throw new Error(`${fn}: curve ${i} needs a name`);
    if (!Array.isArray(s.precision) || s.precision.length < 2 || s.precision.length !== s.recall?.length) {
      throw new Error(`${fn}: curve '${s.name}' needs precision and recall of equal length >= 2`);
    }
    if ([...s.precision, ...s.recall].some((v) => !Number.isFinite(v))) throw new Error(`${fn}: curve '${s.name}' has non-finite points`);
  });
  if (options.prevalence !== undefined && !(options.prevalence >= 0 && options.prevalence <= 1)) {
    throw new Error(`${fn}: prevalence must be in [0, 1], got ${options.prevalence}`);
  }
  const [width, height] = checkSize(fn, options, 640, 560);
  const title = options.title ?? 'Precision-recall curve';
  const f = unitFrame({ width, height, title, xLabel: 'Recall (sensitivity)', yLabel: 'Precision (positive predictive value)' });
  const body = [...f.body];
  const entries: { label: string; color: string; dash?: string }[] = [];
  list.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    // Steps after each point, as matplotlib's drawstyle 'steps-post' in scikit-learn's display.
    const points: [number, number][] = [];
    for (let k = 0; k < s.recall.length; k++) {
      if (k > 0) points.push([f.x(s.recall[k]), f.y(s.precision[k - 1])]);
      points.push([f.x(s.recall[k]), f.y(s.precision[k])]);
    }
    body.push(polyline(points, color));
    let ap = s.averagePrecision;
    if (ap === undefined) {
      ap = 0;
      for (let k = 0; k < s.recall.length - 1; k++) ap -= (s.recall[k + 1] - s.recall[k]) * s.precision[k];
    }
    entries.push({ label: `${s.name} (AP = ${ap.toFixed(3)})`, color });
  });
  if (options.prevalence !== undefined) {
    const p = options.prevalence;
    body.push(polyline([[f.x(0), f.y(p)], [f.x(1), f.y(p)]], '#9a9a9a', 1.5, '6 5'));
    entries.push({ label: `Chance (AP = ${p.toFixed(3)})`, color: '#9a9a9a', dash: '6 5' });
  }
  body.push(...legend(f, entries, 'bottom-left'));
  return document(width, height, body, title);
}
