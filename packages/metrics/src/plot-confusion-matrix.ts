import { checkSize, document, fmt, text, textWidth } from './svg-chart';
import type { ConfusionMatrix, ConfusionMatrixPlotOptions } from './types';

// A sequential blue scale (light to dark), interpolated in sRGB; adequate for a 0-1 fraction.
const SCALE = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];

function hexToRgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

function colorAt(t: number): string {
  const u = Math.min(1, Math.max(0, t)) * (SCALE.length - 1);
  const i = Math.min(SCALE.length - 2, Math.floor(u));
  const a = hexToRgb(SCALE[i]);
  const b = hexToRgb(SCALE[i + 1]);
  const c = a.map((v, k) => Math.round(v + (b[k] - v) * (u - i)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/**
 * Confusion-matrix heatmap: each cell shows its count and its share of the true class (row
 * percentage, which is the recall on the diagonal); the colour encodes that share, and text turns
 * white on dark cells. Returns SVG text.
 *
 * @example plotConfusionMatrix(confusionMatrix(y, pred, { labels: [0, 1] }), { classNames: ['fractured', 'not fractured'] })
 */
export function plotConfusionMatrix(cm: ConfusionMatrix, options: ConfusionMatrixPlotOptions = {}): string {
  const fn = 'plotConfusionMatrix';
  if (!cm || !Array.isArray(cm.matrix) || cm.matrix.length === 0) throw new Error(`${fn}: expected a confusion matrix { labels, matrix }`);
  const k = cm.matrix.length;
  cm.matrix.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== k) throw new Error(`${fn}: matrix row ${i} has ${row?.length} entries, expected ${k}`);
    if (row.some((v) => !Number.isFinite(v) || v < 0)) throw new Error(`${fn}: matrix row ${i} holds a negative or non-finite count`);
  });
  const names = options.classNames ? [...options.classNames] : (cm.labels ?? cm.matrix.map((_, i) => i)).map(String);
  if (names.length !== k) throw new Error(`${fn}: ${names.length} class names for a ${k} x ${k} matrix`);

  const longest = Math.max(...names.map((n) => textWidth(n, 13)));
  const defaultSize = Math.max(420, Math.min(900, 220 + longest + k * 110));
  const left = Math.max(90, 50 + longest);
  const top = 56;
  const colorbar = 90;
  const below = 72;
  const defaultWidth = options.width ?? defaultSize + 90;
  // Square cells: without an explicit height, the chart is as tall as the matrix needs.
  const [width, height] = checkSize(fn, options, defaultWidth, top + (defaultWidth - left - colorbar - 10) + below);
  const title = options.title ?? 'Confusion matrix';
  const side = Math.min(width - left - colorbar - 10, height - top - below);
  const cell = side / k;
  const body: string[] = [text(width / 2, 30, title, { size: 17, anchor: 'middle', weight: 'bold' })];

  const countSize = Math.max(10, Math.min(22, cell / 5));
  const pctSize = Math.max(9, Math.min(14, cell / 8));
  cm.matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      const share = total === 0 ? 0 : count / total;
      const x = left + j * cell;
      const y = top + i * cell;
      const ink = share > 0.55 ? '#ffffff' : '#111111';
      body.push(`<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(cell)}" height="${fmt(cell)}" fill="${colorAt(share)}" stroke="#ffffff" stroke-width="2"/>`);
      body.push(text(x + cell / 2, y + cell / 2 - pctSize * 0.55, String(count), { size: countSize, anchor: 'middle', weight: 'bold', fill: ink, baseline: 'middle' }));
      const pct = total === 0 ? '–' : `${(100 * share).toFixed(1)} %`;
      body.push(text(x + cell / 2, y + cell / 2 + countSize * 0.75, pct, { size: pctSize, anchor: 'middle', fill: ink, baseline: 'middle' }));
    });
  });
  names.forEach((name, i) => {
    body.push(text(left - 10, top + (i + 0.5) * cell, name, { size: 13, anchor: 'end', baseline: 'middle' }));
    body.push(text(left + (i + 0.5) * cell, top + side + 20, name, { size: 13, anchor: 'middle' }));
  });
  body.push(text(left + side / 2, top + side + 46, 'Predicted label', { size: 14, anchor: 'middle' }));
  body.push(text(18, top + side / 2, 'True label', { size: 14, anchor: 'middle', rotate: -90 }));

  // Colour bar for the row share.
  const barX = left + side + 28;
  const barW = 16;
  const steps = 40;
  for (let s = 0; s < steps; s++) {
    const t0 = s / steps;
    body.push(`<rect x="${fmt(barX)}" y="${fmt(top + side * (1 - (s + 1) / steps))}" width="${barW}" height="${fmt(side / steps + 0.5)}" fill="${colorAt(t0 + 0.5 / steps)}"/>`);
  }
  body.push(`<rect x="${fmt(barX)}" y="${fmt(top)}" width="${barW}" height="${fmt(side)}" fill="none" stroke="#888888"/>`);
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    const y = top + side * (1 - t);
    body.push(`<line x1="${fmt(barX + barW)}" y1="${fmt(y)}" x2="${fmt(barX + barW + 4)}" y2="${fmt(y)}" stroke="#444444"/>`);
    body.push(text(barX + barW + 7, y, `${Math.round(t * 100)} %`, { size: 11, baseline: 'middle', fill: '#444444' }));
  }
  body.push(text(barX + barW / 2, top + side + 20, 'of row', { size: 11, anchor: 'middle', fill: '#444444' }));
  return document(width, height, body, title);
}
