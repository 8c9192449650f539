import { PNG } from 'pngjs';

/** Decodes a PNG and measures how much of it is drawn (not white) and how many colours it uses. */
export function inspectPng(png: Uint8Array): { width: number; height: number; inked: number; colours: number } {
  const image = PNG.sync.read(Buffer.from(png));
  let inked = 0;
  const colours = new Set<number>();
  for (let i = 0; i < image.data.length; i += 4) {
    const [r, g, b] = [image.data[i], image.data[i + 1], image.data[i + 2]];
    if (r < 245 || g < 245 || b < 245) inked++;
    colours.add((r << 16) | (g << 8) | b);
  }
  return { width: image.width, height: image.height, inked: inked / (image.width * image.height), colours: colours.size };
}

/** A chart PNG of the expected size that is neither blank nor a flood fill. */
export function expectDrawnChart(png: Uint8Array, width: number, height: number): void {
  const info = inspectPng(png);
  expect([info.width, info.height]).toEqual([width, height]);
  expect(info.inked).toBeGreaterThan(0.02); // axes, curves, text
  expect(info.inked).toBeLessThan(0.9);
  expect(info.colours).toBeGreaterThan(20); // anti-aliased lines and several series
}

// Small binary case shared by the chart tests: 0 = fractured (positive), scores = P(fractured).
export const chartLabels = [0, 0, 0, 1, 1, 1, 0, 1, 0, 1];
export const chartScoresA = [0.9, 0.8, 0.4, 0.3, 0.2, 0.35, 0.7, 0.1, 0.6, 0.55];
export const chartScoresB = [0.6, 0.55, 0.5, 0.45, 0.4, 0.5, 0.52, 0.3, 0.35, 0.6];
