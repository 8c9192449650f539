import { drawText, fillRect, GLYPH_HEIGHT, measureText } from './bitmap-font';
import { colormap } from './colormap';
import { overlayHeatmap, toDisplayRgb, validateHeatmap, validateImage } from './overlay-heatmap';
import type { Heatmap, PanelOptions, RgbImage } from './types';

const WHITE = [255, 255, 255] as const;

/**
 * A side-by-side panel for a report: the X-ray on the left, the heatmap
 * overlay on the right (both at `options.height`, default the X-ray's own),
 * and a caption bar below with the label and probability
 * (`FRACTURED 97.3%`) and a low-to-high colour key, drawn with a built-in
 * bitmap font so no browser or font file is needed. Returns 8-bit RGB.
 */
export function renderPanel(original: Parameters<typeof overlayHeatmap>[0], heatmap: Heatmap, options: PanelOptions = {}): RgbImage {
  validateImage(original, 'renderPanel');
  validateHeatmap(heatmap, 'renderPanel');
  const height = options.height ?? original.height;
  if (!Number.isInteger(height) || height < 1) throw new Error(`renderPanel: height must be a positive integer, got ${height}`);
  const { probability } = options;
  if (probability !== undefined && !(probability >= 0 && probability <= 1)) {
    throw new Error(`renderPanel: probability must be in [0, 1], got ${probability}`);
  }
  const boxes = options.boxes ?? [];
  boxes.forEach((box, i) => {
    const values = [box.x, box.y, box.width, box.height];
    if (!values.every(Number.isFinite) || box.width <= 0 || box.height <= 0) {
      throw new Error(`renderPanel: boxes[${i}] must have finite x, y and a positive width and height, got ${JSON.stringify(box)}`);
    }
  });
  const boxColour = options.boxColour ?? WHITE;
  if (boxColour.length !== 3 || !boxColour.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
    throw new Error(`renderPanel: boxColour must be three integers in [0, 255], got ${JSON.stringify(boxColour)}`);
  }
  const halfWidth = Math.max(1, Math.round((original.width * height) / original.height));
  const gap = Math.max(2, Math.round(height / 100));
  const width = 2 * halfWidth + gap;
  const caption = [options.label ?? '', probability === undefined ? '' : `${(probability * 100).toFixed(1)}%`]
    .filter((part) => part.length > 0)
    .join(' ');

  let scale = Math.max(2, Math.round(height / 110));
  while (scale > 1 && measureText(caption, scale) + 4 * scale > width) scale--;
  const padding = 2 * scale;
  const barHeight = GLYPH_HEIGHT * scale + 2 * padding;
  const panel: RgbImage = {
    data: new Uint8Array(width * (height + barHeight) * 3),
    width,
    height: height + barHeight,
    channels: 3,
    bitDepth: 8,
  };

  const left = toDisplayRgb(original, options.window);
  const right = overlayHeatmap(original, heatmap, options).data;
  blit(panel, resample(left, original.width, original.height, halfWidth, height), halfWidth, height, 0);
  blit(panel, resample(right, original.width, original.height, halfWidth, height), halfWidth, height, halfWidth + gap);
  const thickness = Math.max(1, Math.round(height / 256));
  for (const box of boxes) {
    for (const x0 of [0, halfWidth + gap]) outlineBox(panel, box, x0, halfWidth / original.width, height / original.height, halfWidth, height, thickness, boxColour);
  }

  drawText(panel, caption, padding, height + padding, scale, WHITE);
  drawColourKey(panel, options, scale, height + padding, padding + measureText(caption, scale) + 4 * scale);
  return panel;
}

/**
 * Outlines one box, scaled from the original's pixels into a panel half starting at column `x0`. The outline is
 * drawn inside the box's edges and clipped to the half, so it never spills onto the other half or the caption bar.
 */
function outlineBox(
  panel: RgbImage,
  box: { x: number; y: number; width: number; height: number },
  x0: number,
  scaleX: number,
  scaleY: number,
  halfWidth: number,
  halfHeight: number,
  thickness: number,
  colour: readonly [number, number, number],
): void {
  const left = Math.max(0, Math.round(box.x * scaleX));
  const top = Math.max(0, Math.round(box.y * scaleY));
  const right = Math.min(halfWidth, Math.max(left + 1, Math.round((box.x + box.width) * scaleX)));
  const bottom = Math.min(halfHeight, Math.max(top + 1, Math.round((box.y + box.height) * scaleY)));
  if (left >= halfWidth || top >= halfHeight || right <= 0 || bottom <= 0) return;
  const w = right - left;
  const h = bottom - top;
  const t = Math.min(thickness, w, h);
  const rgb = [colour[0], colour[1], colour[2]] as const;
  fillRect(panel, x0 + left, top, w, t, rgb);
  fillRect(panel, x0 + left, bottom - t, w, t, rgb);
  fillRect(panel, x0 + left, top, t, h, rgb);
  fillRect(panel, x0 + right - t, top, t, h, rgb);
}

/** "LOW [gradient] HIGH", right-aligned in the caption bar, when it fits after the caption. */
function drawColourKey(panel: RgbImage, options: PanelOptions, scale: number, top: number, minLeft: number): void {
  const gradientWidth = 24 * scale;
  const keyWidth = measureText('LOW', scale) + gradientWidth + measureText('HIGH', scale) + 4 * scale;
  const left = panel.width - 2 * scale - keyWidth;
  if (left < minLeft) return;
  drawText(panel, 'LOW', left, top, scale, WHITE);
  const gradientLeft = left + measureText('LOW', scale) + 2 * scale;
  const ramp = Float32Array.from({ length: gradientWidth }, (_, i) => i / Math.max(1, gradientWidth - 1));
  const colours = colormap(ramp, options.colormap ?? 'turbo');
  for (let i = 0; i < gradientWidth; i++) {
    const colour = [colours[i * 3]!, colours[i * 3 + 1]!, colours[i * 3 + 2]!] as const;
    fillRect(panel, gradientLeft + i, top, 1, GLYPH_HEIGHT * scale, colour);
  }
  drawText(panel, 'HIGH', gradientLeft + gradientWidth + 2 * scale, top, scale, WHITE);
}

function blit(panel: RgbImage, rgb: Uint8Array, width: number, height: number, x0: number): void {
  for (let y = 0; y < height; y++) {
    panel.data.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), (y * panel.width + x0) * 3);
  }
}

/** Nearest neighbour when enlarging, box average when shrinking (no aliasing on large X-rays). */
function resample(rgb: Uint8Array, width: number, height: number, outWidth: number, outHeight: number): Uint8Array {
  if (width === outWidth && height === outHeight) return rgb;
  const spans = (outSize: number, inSize: number) =>
    Array.from({ length: outSize }, (_, o) => {
      const scale = inSize / outSize;
      if (scale <= 1) {
        const nearest = Math.min(inSize - 1, Math.floor((o + 0.5) * scale));
        return [nearest, nearest + 1] as const;
      }
      const start = Math.floor(o * scale);
      return [start, Math.max(start + 1, Math.min(inSize, Math.round((o + 1) * scale)))] as const;
    });
  const ys = spans(outHeight, height);
  const xs = spans(outWidth, width);
  const out = new Uint8Array(outWidth * outHeight * 3);
  for (let y = 0; y < outHeight; y++) {
    const [y0, y1] = ys[y]!;
    for (let x = 0; x < outWidth; x++) {
      const [x0, x1] = xs[x]!;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let sy = y0; sy < y1; sy++) for (let sx = x0; sx < x1; sx++) sum += rgb[(sy * width + sx) * 3 + c]!;
        out[(y * outWidth + x) * 3 + c] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
      }
    }
  }
  return out;
}
