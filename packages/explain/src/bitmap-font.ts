import type { RgbImage } from './types';

/** Glyph size in font pixels; glyphs are drawn with one blank column between them. */
export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;

/**
 * A 5x7 bitmap font for captions drawn without a browser or a font file:
 * upper-case letters (lower case is drawn upper case), digits and the
 * punctuation a label needs. Each row is 5 bits, most significant = left.
 */
const GLYPHS = new Map<string, readonly number[]>([
  [' ', [0, 0, 0, 0, 0, 0, 0]],
  ['A', [0b01110, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001]],
  ['B', [0b11110, 0b10001, 0b10001, 0b11110, 0b10001, 0b10001, 0b11110]],
  ['C', [0b01110, 0b10001, 0b10000, 0b10000, 0b10000, 0b10001, 0b01110]],
  ['D', [0b11110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b11110]],
  ['E', [0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b11111]],
  ['F', [0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b10000]],
  ['G', [0b01110, 0b10001, 0b10000, 0b10111, 0b10001, 0b10001, 0b01111]],
  ['H', [0b10001, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001]],
  ['I', [0b01110, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110]],
  ['J', [0b00111, 0b00010, 0b00010, 0b00010, 0b00010, 0b10010, 0b01100]],
  ['K', [0b10001, 0b10010, 0b10100, 0b11000, 0b10100, 0b10010, 0b10001]],
  ['L', [0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b11111]],
  ['M', [0b10001, 0b11011, 0b10101, 0b10101, 0b10001, 0b10001, 0b10001]],
  ['N', [0b10001, 0b10001, 0b11001, 0b10101, 0b10011, 0b10001, 0b10001]],
  ['O', [0b01110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110]],
  ['P', [0b11110, 0b10001, 0b10001, 0b11110, 0b10000, 0b10000, 0b10000]],
  ['Q', [0b01110, 0b10001, 0b10001, 0b10001, 0b10101, 0b10010, 0b01101]],
  ['R', [0b11110, 0b10001, 0b10001, 0b11110, 0b10100, 0b10010, 0b10001]],
  ['S', [0b01111, 0b10000, 0b10000, 0b01110, 0b00001, 0b00001, 0b11110]],
  ['T', [0b11111, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100]],
  ['U', [0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110]],
  ['V', [0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01010, 0b00100]],
  ['W', [0b10001, 0b10001, 0b10001, 0b10101, 0b10101, 0b10101, 0b01010]],
  ['X', [0b10001, 0b10001, 0b01010, 0b00100, 0b01010, 0b10001, 0b10001]],
  ['Y', [0b10001, 0b10001, 0b01010, 0b00100, 0b00100, 0b00100, 0b00100]],
  ['Z', [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b10000, 0b11111]],
  ['0', [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110]],
  ['1', [0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110]],
  ['2', [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111]],
  ['3', [0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110]],
  ['4', [0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010]],
  ['5', [0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110]],
  ['6', [0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110]],
  ['7', [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000]],
  ['8', [0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110]],
  ['9', [0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100]],
  ['.', [0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b01100, 0b01100]],
  [',', [0b00000, 0b00000, 0b00000, 0b00000, 0b01100, 0b00100, 0b01000]],
  ['%', [0b11000, 0b11001, 0b00010, 0b00100, 0b01000, 0b10011, 0b00011]],
  [':', [0b00000, 0b01100, 0b01100, 0b00000, 0b01100, 0b01100, 0b00000]],
  ['-', [0b00000, 0b00000, 0b00000, 0b11111, 0b00000, 0b00000, 0b00000]],
  ['(', [0b00010, 0b00100, 0b01000, 0b01000, 0b01000, 0b00100, 0b00010]],
  [')', [0b01000, 0b00100, 0b00010, 0b00010, 0b00010, 0b00100, 0b01000]],
  ['/', [0b00000, 0b00001, 0b00010, 0b00100, 0b01000, 0b10000, 0b00000]],
  ['?', [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b00000, 0b00100]],
  ['=', [0b00000, 0b00000, 0b11111, 0b00000, 0b11111, 0b00000, 0b00000]],
  ['+', [0b00000, 0b00100, 0b00100, 0b11111, 0b00100, 0b00100, 0b00000]],
  ['_', [0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b11111]],]);

/** Width in image pixels of `text` drawn at `scale`. */
export function measureText(text: string, scale: number): number {
  return text.length === 0 ? 0 : text.length * (GLYPH_WIDTH + 1) * scale - scale;
}

/**
 * Draws `text` into an RGB image with its top-left corner at (x, y), each
 * font pixel a `scale` x `scale` square; pixels outside the image are
 * clipped. Unknown characters are drawn as `?`.
 */
export function drawText(
  image: RgbImage,
  text: string,
  x: number,
  y: number,
  scale: number,
  colour: readonly [number, number, number],
): void {
  const fallback = GLYPHS.get('?')!;
  [...text.toUpperCase()].forEach((char, index) => {
    const rows = GLYPHS.get(char) ?? fallback;
    const left = x + index * (GLYPH_WIDTH + 1) * scale;
    rows.forEach((bits, row) => {
      for (let col = 0; col < GLYPH_WIDTH; col++) {
        if (((bits >> (GLYPH_WIDTH - 1 - col)) & 1) === 0) continue;
        fillRect(image, left + col * scale, y + row * scale, scale, scale, colour);
      }
    });
  });
}

/** Fills a rectangle, clipped to the image. */
export function fillRect(
  image: RgbImage,
  x: number,
  y: number,
  width: number,
  height: number,
  colour: readonly [number, number, number],
): void {
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(image.width, x + width);
  const y1 = Math.min(image.height, y + height);
  for (let py = y0; py < y1; py++) {
    for (let px = x0; px < x1; px++) {
      const i = (py * image.width + px) * 3;
      image.data[i] = colour[0];
      image.data[i + 1] = colour[1];
      image.data[i + 2] = colour[2];
    }
  }
}
