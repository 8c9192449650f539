import { drawText, measureText } from './bitmap-font';
import { overlayHeatmap } from './overlay-heatmap';
import { renderPanel } from './render-panel';
import type { Heatmap, RasterImage, RgbImage } from './types';

const blank = (width: number, height: number): RgbImage => ({ data: new Uint8Array(width * height * 3), width, height, channels: 3, bitDepth: 8 });
const lit = (image: RgbImage, x: number, y: number) => image.data[(y * image.width + x) * 3]! > 0;

/** Reads a rectangle of an image back as '#' / '.' rows. */
function pattern(image: RgbImage, x0: number, y0: number, width: number, height: number, step = 1): string[] {
  const rows: string[] = [];
  for (let y = y0; y < y0 + height; y += step) {
    let row = '';
    for (let x = x0; x < x0 + width; x += step) row += lit(image, x, y) ? '#' : '.';
    rows.push(row);
  }
  return rows;
}

describe('bitmap font', () => {
  test('draws glyphs at integer scale, upper-casing and substituting unknown characters', () => {
    const canvas = blank(30, 20);
    drawText(canvas, 'f7', 1, 2, 2, [255, 255, 255]);
    expect(pattern(canvas, 1, 2, 10, 14, 2)).toEqual(['#####', '#....', '#....', '####.', '#....', '#....', '#....']);
    expect(pattern(canvas, 13, 2, 10, 14, 2)).toEqual(['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...']);
    // Each font pixel is a full 2x2 square.
    expect(pattern(canvas, 1, 2, 2, 2)).toEqual(['##', '##']);
    const unknown = blank(6, 7);
    const question = blank(6, 7);
    drawText(unknown, '§', 0, 0, 1, [255, 255, 255]);
    drawText(question, '?', 0, 0, 1, [255, 255, 255]);
    expect(Array.from(unknown.data)).toEqual(Array.from(question.data));
    expect(measureText('abc', 2)).toBe(3 * 12 - 2);
  });
});

describe('renderPanel', () => {
  const width = 64;
  const height = 48;
  const xray: RasterImage = {
    data: Uint8Array.from({ length: width * height }, (_, i) => (i % width) * 4),
    width,
    height,
    channels: 1,
    bitDepth: 8,
  };
  const heat: Heatmap = { data: Float32Array.from({ length: 12 }, (_, i) => i / 11), width: 4, height: 3 };

  test('puts the X-ray left, the overlay right, and a captioned bar with a colour key below', () => {
    const panel = renderPanel(xray, heat, { label: 'fractured', probability: 0.973, colormap: 'jet', alpha: 0.5 });
    // 'FRACTURED 97.3%' is 89 px at scale 1: it fits in 2 * 64 + 2 columns, scale 2 (186 px) does not.
    expect([panel.width, panel.height]).toEqual([130, 48 + 11]);
    const overlay = overlayHeatmap(xray, heat, { colormap: 'jet', alpha: 0.5 });
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) {
          expect(panel.data[(y * 130 + x) * 3 + c]).toBe(xray.data[y * width + x]);
          expect(panel.data[(y * 130 + 66 + x) * 3 + c]).toBe(overlay.data[(y * width + x) * 3 + c]);
        }
      }
      expect(lit(panel, 64, y) || lit(panel, 65, y)).toBe(false);
    }
    // Caption starts at (2, 50): the first glyph is an F.
    expect(pattern(panel, 2, 50, 5, 7)).toEqual(['#####', '#....', '#....', '####.', '#....', '#....', '#....']);
    // The text ends with '%' and nothing is drawn between it and the colour key.
    const captionEnd = 2 + measureText('FRACTURED 97.3%', 1);
    expect(pattern(panel, captionEnd - 5, 50, 5, 7)).toEqual(['##...', '##..#', '...#.', '..#..', '.#...', '#..##', '...##']);
  });

  test('scales both halves to the requested height (box average when shrinking) and validates', () => {
    const panel = renderPanel(xray, heat, { height: 24 });
    expect(panel.width).toBe(2 * 32 + 2);
    // Column x of the half is the mean of source columns 2x and 2x + 1: (8x + 8x + 4) / 2.
    for (let x = 0; x < 32; x++) expect(panel.data[(5 * panel.width + x) * 3]).toBe(8 * x + 2);
    expect(() => renderPanel(xray, heat, { probability: 1.5 })).toThrow(/renderPanel: probability must be in \[0, 1\], got 1.5/);
    expect(() => renderPanel(xray, heat, { height: 0 })).toThrow(/renderPanel: height must be a positive integer, got 0/);
  });

  test("outlines reference boxes on both halves, scaled with the panel and clipped to each half", () => {
    const red = [255, 0, 0] as const;
    const plain = renderPanel(xray, heat, { height: 24 });
    // Original pixels (8, 4)-(24, 20) become (4, 2)-(12, 10) at half scale; the second box runs off the right edge.
    const panel = renderPanel(xray, heat, { height: 24, boxes: [{ x: 8, y: 4, width: 16, height: 16 }, { x: 56, y: 40, width: 30, height: 30 }], boxColour: red });
    const isRed = (x: number, y: number) => [0, 1, 2].every((c) => panel.data[(y * panel.width + x) * 3 + c] === red[c]);
    const unchanged = (x: number, y: number) => [0, 1, 2].every((c) => panel.data[(y * panel.width + x) * 3 + c] === plain.data[(y * plain.width + x) * 3 + c]);
    for (const x0 of [0, 34]) {
      for (let x = 4; x < 12; x++) expect([isRed(x0 + x, 2), isRed(x0 + x, 9)]).toEqual([true, true]);
      for (let y = 2; y < 10; y++) expect([isRed(x0 + 4, y), isRed(x0 + 11, y)]).toEqual([true, true]);
      // Inside and just outside the outline nothing changes.
      for (let y = 3; y < 9; y++) for (let x = 5; x < 11; x++) expect(unchanged(x0 + x, y)).toBe(true);
      expect(unchanged(x0 + 3, 5) && unchanged(x0 + 12, 5) && unchanged(x0 + 6, 1) && unchanged(x0 + 6, 10)).toBe(true);
      // The clipped box: its top and left edges from (28, 20), right and bottom edges at the half's border.
      expect([isRed(x0 + 28, 20), isRed(x0 + 31, 20), isRed(x0 + 28, 23), isRed(x0 + 31, 23)]).toEqual([true, true, true, true]);
    }
    // The gap between the halves and the caption bar stay clear of the clipped box.
    for (let y = 0; y < 24; y++) expect(isRed(32, y) || isRed(33, y)).toBe(false);
    for (let y = 24; y < panel.height; y++) for (let x = 0; x < panel.width; x++) expect(isRed(x, y)).toBe(false);
    // Default colour: white.
    const white = renderPanel(xray, heat, { height: 24, boxes: [{ x: 8, y: 4, width: 16, height: 16 }] });
    expect(Array.from(white.data.subarray((2 * white.width + 4) * 3, (2 * white.width + 4) * 3 + 3))).toEqual([255, 255, 255]);
    expect(() => renderPanel(xray, heat, { boxes: [{ x: 0, y: 0, width: 0, height: 3 }] })).toThrow(/renderPanel: boxes\[0\] must have finite x, y and a positive width and height/);
    expect(() => renderPanel(xray, heat, { boxes: [{ x: Number.NaN, y: 0, width: 2, height: 3 }] })).toThrow(/renderPanel: boxes\[0\]/);
    expect(() => renderPanel(xray, heat, { boxColour: [256, 0, 0] })).toThrow(/renderPanel: boxColour must be three integers in \[0, 255\]/);
  });
});
