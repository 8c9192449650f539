// Internal drawing helpers shared by the plot functions: axes, grid, ticks, legend and text layout.
// The charts are plain SVG 1.1 with explicit attributes so any renderer (resvg, browsers) draws them the same.

export const FONT_FAMILY = "'DejaVu Sans', Verdana, Arial, sans-serif";

// Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#7F7F7F', '#000000'];

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Rough advance width of DejaVu Sans text, enough to size boxes. */
export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

export function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

export interface TextOptions {
  size?: number;
  anchor?: 'start' | 'middle' | 'end';
  weight?: 'normal' | 'bold';
  fill?: string;
  rotate?: number;
  baseline?: 'middle' | 'auto';
}

export function text(x: number, y: number, content: string, o: TextOptions = {}): string {
  const size = o.size ?? 13;
  // dominant-baseline is not honoured everywhere; shift by a third of the size to centre vertically.
  const dy = o.baseline === 'middle' ? size * 0.35 : 0;
  const transform = o.rotate ? ` transform="rotate(${o.rotate} ${fmt(x)} ${fmt(y)})"` : '';
  return (
    `<text x="${fmt(x)}" y="${fmt(y + dy)}" font-family="${FONT_FAMILY}" font-size="${size}" ` +
    `text-anchor="${o.anchor ?? 'start'}" font-weight="${o.weight ?? 'normal'}" fill="${o.fill ?? '#222222'}"${transform}>` +
    `${escapeXml(content)}</text>`
  );
}

export function document(width: number, height: number, body: string[], title: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

export interface Frame {
  x(v: number): number;
  y(v: number): number;
  left: number;
  top: number;
  right: number;
  bottom: number;
  body: string[];
}

export interface FrameOptions {
  width: number;
  height: number;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Extra space under the plot for a second panel. */
  bottomReserve?: number;
  ticks?: readonly number[];
}

/** Title, unit-square axes on [0, 1] x [0, 1] (with a little padding), grid, ticks and axis labels. */
export function unitFrame(o: FrameOptions): Frame {
  const left = 72;
  const right = o.width - 24;
  const top = 52;
  const bottom = o.height - 56 - (o.bottomReserve ?? 0);
  const pad = 0.02;
  const x = (v: number): number => left + ((v + pad) / (1 + 2 * pad)) * (right - left);
  const y = (v: number): number => bottom - ((v + pad) / (1 + 2 * pad)) * (bottom - top);
  const ticks = o.ticks ?? [0, 0.2, 0.4, 0.6, 0.8, 1];
  const body: string[] = [];
  body.push(text(o.width / 2, 30, o.title, { size: 17, anchor: 'middle', weight: 'bold' }));
  body.push(`<rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(right - left)}" height="${fmt(bottom - top)}" fill="#fbfbfb" stroke="none"/>`);
  for (const t of ticks) {
    body.push(`<line x1="${fmt(x(t))}" y1="${fmt(top)}" x2="${fmt(x(t))}" y2="${fmt(bottom)}" stroke="#e3e3e3" stroke-width="1"/>`);
    body.push(`<line x1="${fmt(left)}" y1="${fmt(y(t))}" x2="${fmt(right)}" y2="${fmt(y(t))}" stroke="#e3e3e3" stroke-width="1"/>`);
    body.push(`<line x1="${fmt(x(t))}" y1="${fmt(bottom)}" x2="${fmt(x(t))}" y2="${fmt(bottom + 5)}" stroke="#444444" stroke-width="1"/>`);
    body.push(`<line x1="${fmt(left - 5)}" y1="${fmt(y(t))}" x2="${fmt(left)}" y2="${fmt(y(t))}" stroke="#444444" stroke-width="1"/>`);
    body.push(text(x(t), bottom + 20, t.toFixed(1), { size: 12, anchor: 'middle', fill: '#444444' }));
    body.push(text(left - 9, y(t), t.toFixed(1), { size: 12, anchor: 'end', fill: '#444444', baseline: 'middle' }));
  }
  body.push(`<rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(right - left)}" height="${fmt(bottom - top)}" fill="none" stroke="#444444" stroke-width="1"/>`);
  body.push(text((left + right) / 2, bottom + 42, o.xLabel, { size: 14, anchor: 'middle' }));
  body.push(text(22, (top + bottom) / 2, o.yLabel, { size: 14, anchor: 'middle', rotate: -90 }));
  return { x, y, left, top, right, bottom, body };
}

export interface LegendEntry {
  label: string;
  color: string;
  dash?: string;
  marker?: boolean;
}

/** A boxed legend anchored at a corner of the plot area. */
export function legend(frame: Frame, entries: readonly LegendEntry[], corner: 'bottom-right' | 'bottom-left' | 'top-left'): string[] {
  const size = 12.5;
  const row = 21;
  const w = Math.max(...entries.map((e) => textWidth(e.label, size))) + 50;
  const h = entries.length * row + 10;
  const x0 = corner === 'bottom-right' ? frame.right - w - 10 : frame.left + 10;
  const y0 = corner === 'top-left' ? frame.top + 10 : frame.bottom - h - 10;
  const out = [`<rect x="${fmt(x0)}" y="${fmt(y0)}" width="${fmt(w)}" height="${fmt(h)}" rx="4" fill="#ffffff" fill-opacity="0.92" stroke="#bbbbbb"/>`];
  entries.forEach((e, i) => {
    const cy = y0 + 5 + row * i + row / 2;
    const dash = e.dash ? ` stroke-dasharray="${e.dash}"` : '';
    out.push(`<line x1="${fmt(x0 + 10)}" y1="${fmt(cy)}" x2="${fmt(x0 + 36)}" y2="${fmt(cy)}" stroke="${e.color}" stroke-width="2.5"${dash}/>`);
    if (e.marker) out.push(`<circle cx="${fmt(x0 + 23)}" cy="${fmt(cy)}" r="3.5" fill="${e.color}"/>`);
    out.push(text(x0 + 44, cy, e.label, { size, baseline: 'middle' }));
  });
  return out;
}

export function polyline(points: readonly [number, number][], color: string, width = 2.5, dash?: string): string {
  const d = points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${fmt(px)},${fmt(py)}`).join(' ');
  return `<path d="${d}" fill="none" stroke="${color}" stroke-width="${width}" stroke-linejoin="round" stroke-linecap="round"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
}

export function checkSize(fn: string, options: { width?: number; height?: number }, width: number, height: number): [number, number] {
  const w = options.width ?? width;
  const h = options.height ?? height;
  if (!(w >= 200 && w <= 4000 && h >= 200 && h <= 4000)) throw new Error(`${fn}: width and height must be in [200, 4000], got ${w} x ${h}`);
  return [w, h];
}
