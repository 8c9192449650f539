import { inspectPng } from '../test/png-inspect';
import { findDejaVuFonts, svgToPng } from './svg-to-png';

const fontsFound = findDejaVuFonts().length > 0;
if (!fontsFound) console.log('svgToPng: DejaVu Sans not found (install fonts-dejavu-core); the text test is skipped');

const blank = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><rect width="200" height="60" fill="#fff"/></svg>';

describe('svgToPng', () => {
  test('renders at the requested scale', () => {
    const info = inspectPng(svgToPng(blank, { scale: 1.5 }));
    expect([info.width, info.height]).toEqual([300, 90]);
    expect(info.inked).toBe(0);
  });

  (fontsFound ? test : test.skip)('text is rendered with DejaVu Sans: a word adds ink', () => {
    const withText = blank.replace('</svg>', '<text x="10" y="40" font-family="DejaVu Sans" font-size="30">Fracture</text></svg>');
    expect(inspectPng(svgToPng(withText, { scale: 1 })).inked).toBeGreaterThan(0.05);
  });

  test('bad input names the function', () => {
    expect(() => svgToPng('not svg')).toThrow('svgToPng: expected SVG text');
    expect(() => svgToPng(blank, { scale: 0 })).toThrow('svgToPng: scale must be in (0, 8]');
    expect(() => svgToPng(blank, { fontFiles: ['/nonexistent.ttf'] })).toThrow('svgToPng: font file not found: /nonexistent.ttf');
  });
});
