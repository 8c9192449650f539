import { checkSize, document, fmt, legend, PALETTE, polyline, text } from './svg-chart';
import type { Frame } from './svg-chart';
import type { PlotOptions } from './types';

/** One epoch of a training history, as `@fracture/train` records it (only these keys are read). */
export interface TrainingCurvePoint {
  epoch: number;
  loss: number;
  acc?: number;
  val_loss?: number;
  val_acc?: number;
}

/** Ticks at "nice" steps (1, 2 or 5 × 10^k) covering [lo, hi]. */
function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function panel(body: string[], box: { left: number; right: number; top: number; bottom: number }, xMax: number, yLo: number, yHi: number, yLabel: string): Frame {
  const { left, right, top, bottom } = box;
  const x = (v: number) => left + ((v - 1) / Math.max(1, xMax - 1)) * (right - left);
  const y = (v: number) => bottom - ((v - yLo) / (yHi - yLo || 1)) * (bottom - top);
  body.push(`<rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(right - left)}" height="${fmt(bottom - top)}" fill="#fbfbfb"/>`);
  for (const t of niceTicks(yLo, yHi)) {
    body.push(`<line x1="${fmt(left)}" y1="${fmt(y(t))}" x2="${fmt(right)}" y2="${fmt(y(t))}" stroke="#e3e3e3"/>`);
    body.push(text(left - 8, y(t), String(t), { size: 12, anchor: 'end', fill: '#444444', baseline: 'middle' }));
  }
  const step = Math.max(1, Math.ceil(xMax / 10));
  for (let e = 1; e <= xMax; e += step) {
    body.push(`<line x1="${fmt(x(e))}" y1="${fmt(bottom)}" x2="${fmt(x(e))}" y2="${fmt(bottom + 5)}" stroke="#444444"/>`);
    body.push(text(x(e), bottom + 19, String(e), { size: 12, anchor: 'middle', fill: '#444444' }));
  }
  body.push(`<rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(right - left)}" height="${fmt(bottom - top)}" fill="none" stroke="#444444"/>`);
  body.push(text((left + right) / 2, bottom + 40, 'Epoch', { size: 14, anchor: 'middle' }));
  body.push(text(left - 48, (top + bottom) / 2, yLabel, { size: 14, anchor: 'middle', rotate: -90 }));
  return { x, y, left, right, top, bottom, body };
}

/**
 * Loss and accuracy per epoch, training and validation, side by side. Returns SVG text.
 *
 * @example plotTrainingCurves(result.history, { title: 'ResNet18' })
 */
export function plotTrainingCurves(history: readonly TrainingCurvePoint[], options: PlotOptions = {}): string {
  const fn = 'plotTrainingCurves';
  if (!Array.isArray(history) || history.length === 0) throw new Error(`${fn}: expected a non-empty history`);
  history.forEach((h, i) => {
    if (!h || !Number.isFinite(h.loss)) throw new Error(`${fn}: history[${i}].loss must be a finite number`);
  });
  const [width, height] = checkSize(fn, options, 960, 440);
  const title = options.title ?? 'Training curves';
  const body: string[] = [text(width / 2, 30, title, { size: 17, anchor: 'middle', weight: 'bold' })];
  const n = history.length;
  const series = (key: keyof TrainingCurvePoint) => history.map((h, i) => [i + 1, h[key]] as const).filter((p): p is readonly [number, number] => Number.isFinite(p[1]));
  const half = width / 2;
  const box = (k: number) => ({ left: k * half + 80, right: (k + 1) * half - 20, top: 56, bottom: height - 60 });

  const losses = [...series('loss'), ...series('val_loss')].map((p) => p[1]);
  const lossFrame = panel(body, box(0), n, 0, Math.max(...losses) * 1.05, 'Cross-entropy loss');
  const accFrame = panel(body, box(1), n, 0, 1, 'Accuracy');
  const lines: [Frame, keyof TrainingCurvePoint, string, string | undefined][] = [
    [lossFrame, 'loss', PALETTE[0], undefined],
    [lossFrame, 'val_loss', PALETTE[1], '7 5'],
    [accFrame, 'acc', PALETTE[0], undefined],
    [accFrame, 'val_acc', PALETTE[1], '7 5'],
  ];
  for (const [frame, key, color, dash] of lines) {
    const points = series(key);
    if (points.length === 0) continue;
    body.push(polyline(points.map(([e, v]) => [frame.x(e), frame.y(v)]), color, 2.5, dash));
    for (const [e, v] of points) body.push(`<circle cx="${fmt(frame.x(e))}" cy="${fmt(frame.y(v))}" r="3" fill="${color}"/>`);
  }
  const hasVal = series('val_loss').length > 0 || series('val_acc').length > 0;
  const entries = [{ label: 'training', color: PALETTE[0], marker: true }, ...(hasVal ? [{ label: 'validation', color: PALETTE[1], dash: '7 5', marker: true }] : [])];
  body.push(...legend(accFrame, entries, 'bottom-right'));
  return document(width, height, body, title);
}
