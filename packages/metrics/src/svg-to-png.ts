import { existsSync } from 'node:fs';

import { Resvg } from '@resvg/resvg-js';

import type { SvgToPngOptions } from './types';

// Where DejaVu Sans lives on common systems (Debian/Ubuntu fonts-dejavu-core, Fedora, Arch, macOS with Homebrew).
const DEJAVU_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/opt/homebrew/share/fonts/DejaVuSans.ttf',
  '/usr/local/share/fonts/DejaVuSans.ttf',
];

function boldSibling(path: string): string {
  return path.replace(/DejaVuSans\.ttf$/, 'DejaVuSans-Bold.ttf');
}

/** The DejaVu Sans files found on this machine (regular and bold), or an empty list. */
export function findDejaVuFonts(): string[] {
  const regular = DEJAVU_CANDIDATES.find((p) => existsSync(p));
  if (!regular) return [];
  const bold = boldSibling(regular);
  return existsSync(bold) ? [regular, bold] : [regular];
}

/**
 * Rasterises an SVG (such as the output of `plotRoc`) to PNG bytes with resvg, no browser needed.
 * Text uses DejaVu Sans when found (give `fontFiles` to choose), otherwise the system fonts.
 */
export function svgToPng(svg: string, options: SvgToPngOptions = {}): Uint8Array {
  const fn = 'svgToPng';
  if (typeof svg !== 'string' || !svg.includes('<svg')) throw new Error(`${fn}: expected SVG text`);
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 8)) throw new Error(`${fn}: scale must be in (0, 8], got ${scale}`);
  const fontFiles = options.fontFiles ? [...options.fontFiles] : findDejaVuFonts();
  for (const f of fontFiles) if (!existsSync(f)) throw new Error(`${fn}: font file not found: ${f}`);
  const font =
    fontFiles.length > 0
      ? { fontFiles, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' }
      : { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' };
  const resvg = new Resvg(svg, { font, fitTo: { mode: 'zoom', value: scale }, background: '#ffffff' });
  return new Uint8Array(resvg.render().asPng());
}
