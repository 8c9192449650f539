import { checkSize, document, fmt, legend, PALETTE, polyline, text, unitFrame } from './svg-chart';
import type { PlotOptions, ReliabilityBin, ReliabilitySeries } from './types';

function eceOf(bins: readonly ReliabilityBin[]): number {
  const total = bins.reduce((a, b) => a + b.count, 0);
  return bins.reduce((a, b) => (b.count === 0 ? a : a + (b.count / total) * Math.abs(b.fractionPositive - b.meanPredicted)), 0);
}

/**
 * Reliability diagram: observed fraction of positives against mean predicted probability per bin,
 * with the diagonal of perfect calibration, each model's ECE in the legend, and a histogram of how
 * many samples fall in each bin underneath. Returns SVG text.
 *
 * @example plotReliability([{ name: 'ResNet18', bins: reliabilityBins(y, p, { positiveLabel: 0 }) }])
 */
export function plotReliability(series: ReliabilitySeries | readonly ReliabilitySeries[], options: PlotOptions = {}): string {
  const fn = 'plotReliability';
  const list = (Array.isArray(series) ? series : [series]) as readonly ReliabilitySeries[];
  if (list.length === 0) throw new Error(`${fn}: expected at least one series`);
  list.forEach((s, i) => {
    if (!s || typeof s.name !== 'string') throw new Error(`${fn}: series ${i} needs a name`);
    if (!Array.isArray(s.bins) || s.bins.length === 0) throw new Error(`${fn}: series '${s.name}' has no bins`);
    if (s.bins.every((b) => b.count === 0)) throw new Error(`${fn}: series '${s.name}' has only empty bins`);
  });
  const [width, height] = checkSize(fn, options, 640, 680);
  const title = options.title ?? 'Reliability diagram';
  const histogram = 130;
  const f = unitFrame({ width, height, title, xLabel: 'Mean predicted probability', yLabel: 'Observed fraction of positives', bottomReserve: histogram });
  const body = [...f.body];
  body.push(polyline([[f.x(0), f.y(0)], [f.x(1), f.y(1)]], '#9a9a9a', 1.5, '6 5'));
  const entries: { label: string; color: string; dash?: string; marker?: boolean }[] = [];

  // Histogram panel under the main plot, sharing its x axis.
  const hTop = f.bottom + 62;
  const hBottom = height - 22;
  const maxCount = Math.max(...list.flatMap((s) => s.bins.map((b) => b.count)));
  body.push(`<rect x="${fmt(f.left)}" y="${fmt(hTop)}" width="${fmt(f.right - f.left)}" height="${fmt(hBottom - hTop)}" fill="#fbfbfb" stroke="#444444"/>`);
  body.push(text(f.left - 9, hTop + 4, String(maxCount), { size: 11, anchor: 'end', baseline: 'middle', fill: '#444444' }));
  body.push(text(f.left - 9, hBottom, '0', { size: 11, anchor: 'end', fill: '#444444' }));
  body.push(text(22, (hTop + hBottom) / 2, 'Count', { size: 12, anchor: 'middle', rotate: -90 }));

  list.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const filled = s.bins.filter((b) => b.count > 0);
    body.push(polyline(filled.map((b) => [f.x(b.meanPredicted), f.y(b.fractionPositive)]), color));
    for (const b of filled) body.push(`<circle cx="${fmt(f.x(b.meanPredicted))}" cy="${fmt(f.y(b.fractionPositive))}" r="4" fill="${color}" stroke="#ffffff" stroke-width="1"/>`);
    const ece = s.ece ?? eceOf(s.bins);
    entries.push({ label: `${s.name} (ECE = ${ece.toFixed(3)})`, color, marker: true });
    const barShare = 1 / list.length;
    for (const b of s.bins) {
      if (b.count === 0) continue;
      const x0 = f.x(b.lower) + (f.x(b.upper) - f.x(b.lower)) * (0.1 + 0.8 * barShare * i);
      const w = (f.x(b.upper) - f.x(b.lower)) * 0.8 * barShare;
      const h = ((hBottom - hTop - 8) * b.count) / maxCount;
      body.push(`<rect x="${fmt(x0)}" y="${fmt(hBottom - h)}" width="${fmt(w)}" height="${fmt(h)}" fill="${color}" fill-opacity="0.75"/>`);
    }
  });
  entries.push({ label: 'Perfectly calibrated', color: '#9a9a9a', dash: '6 5' });
  body.push(...legend(f, entries, 'top-left'));
  return document(width, height, body, title);
}
