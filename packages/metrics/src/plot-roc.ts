import { trapezoidArea } from './roc-curve';
import { checkSize, document, legend, PALETTE, polyline, unitFrame } from './svg-chart';
import type { PlotOptions, RocSeries } from './types';

function checkSeries(fn: string, series: readonly RocSeries[]): void {
  if (!Array.isArray(series) || series.length === 0) throw new Error(`${fn}: expected at least one curve`);
  series.forEach((s, i) => {
    if (!s || typeof s.name !== 'string') throw new Error(`${fn}: curve ${i} needs a name`);
    if (!Array.isArray(s.fpr) || s.fpr.length < 2 || s.fpr.length !== s.tpr?.length) {
      throw new Error(`${fn}: curve '${s.name}' needs fpr and tpr of equal length >= 2`);
    }
    if ([...s.fpr, ...s.tpr].some((v) => !Number.isFinite(v))) throw new Error(`${fn}: curve '${s.name}' has non-finite points`);
  });
}

/**
 * ROC curves of one or more models on one chart, with the chance diagonal and the AUC of each
 * model in the legend. Returns SVG text.
 *
 * @example plotRoc([{ name: 'ResNet18', ...rocCurve(y, p, { positiveLabel: 0 }) }], { title: 'Test set' })
 */
export function plotRoc(series: RocSeries | readonly RocSeries[], options: PlotOptions = {}): string {
  const fn = 'plotRoc';
  const list = (Array.isArray(series) ? series : [series]) as readonly RocSeries[];
  checkSeries(fn, list);
  const [width, height] = checkSize(fn, options, 640, 560);
  const title = options.title ?? 'ROC curve';
  const f = unitFrame({ width, height, title, xLabel: 'False positive rate (1 − specificity)', yLabel: 'True positive rate (sensitivity)' });
  const body = [...f.body];
  body.push(polyline([[f.x(0), f.y(0)], [f.x(1), f.y(1)]], '#9a9a9a', 1.5, '6 5'));
  const entries = list.map((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    body.push(polyline(s.fpr.map((x, k) => [f.x(x), f.y(s.tpr[k])]), color));
    const auc = s.auc ?? trapezoidArea(s.fpr, s.tpr);
    return { label: `${s.name} (AUC = ${auc.toFixed(3)})`, color };
  });
  entries.push({ label: 'Chance (AUC = 0.500)', color: '#9a9a9a', dash: '6 5' } as (typeof entries)[number]);
  body.push(...legend(f, entries, 'bottom-right'));
  return document(width, height, body, title);
}
