import type { Heatmap, LocalisationBox, LocalisationOptions, LocalisationScore } from './types';

/** Zhang et al.'s pointing game counts a hit within 15 px of the box on 224-px inputs. */
export const DEFAULT_POINTING_TOLERANCE = 15;

/**
 * How well a heatmap points at annotated boxes (for example a radiologist's fracture boxes):
 *
 * - `pointingHit`: the pointing game (Zhang et al., 2016): 1 when the heatmap's maximum lies inside a box or
 *   within `tolerance` heatmap pixels of one, else 0. When several pixels share the maximum, the expected hit over
 *   a random choice among them, so a flat map scores the share of the image near the boxes (chance), not a hit.
 * - `massInBoxes`: the share of the heatmap's total mass inside the boxes (the "energy" pointing game of
 *   Score-CAM). An all-zero map carries no information and scores like a uniform one: the boxes' share of the area.
 * - `boxAreaFraction`: the boxes' share of the image, what a uniform map scores on both measures without tolerance.
 *
 * Boxes are in pixels of an `imageWidth` × `imageHeight` image (default: the heatmap's size) and are scaled to the
 * heatmap; overlapping boxes count their shared pixels once.
 */
export function localisationScore(heatmap: Heatmap, boxes: readonly LocalisationBox[], options: LocalisationOptions = {}): LocalisationScore {
  const fn = 'localisationScore';
  validateHeatmap(fn, heatmap);
  if (!Array.isArray(boxes) || boxes.length === 0) throw new Error(`${fn}: expected at least one box`);
  const tolerance = options.tolerance ?? DEFAULT_POINTING_TOLERANCE;
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) throw new Error(`${fn}: tolerance must be a non-negative number, got ${tolerance}`);
  const imageWidth = options.imageWidth ?? heatmap.width;
  const imageHeight = options.imageHeight ?? heatmap.height;
  if (!(imageWidth > 0 && imageHeight > 0)) throw new Error(`${fn}: imageWidth and imageHeight must be positive, got ${imageWidth} x ${imageHeight}`);
  const sx = heatmap.width / imageWidth;
  const sy = heatmap.height / imageHeight;
  const scaled = boxes.map((box, i) => {
    if (![box?.x, box?.y, box?.width, box?.height].every(Number.isFinite) || box.width < 0 || box.height < 0) {
      throw new Error(`${fn}: box ${i} must have finite x, y and non-negative width, height; got ${JSON.stringify(box)}`);
    }
    return { x0: box.x * sx, y0: box.y * sy, x1: (box.x + box.width) * sx, y1: (box.y + box.height) * sy };
  });

  const { width, height, data } = heatmap;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) if (data[i] > max) max = data[i];
  let total = 0;
  let inside = 0;
  let insidePixels = 0;
  let maxima = 0;
  let maximaNear = 0;
  for (let y = 0; y < height; y++) {
    // A pixel is the unit square [x, x+1) × [y, y+1); its centre decides membership.
    const cy = y + 0.5;
    for (let x = 0; x < width; x++) {
      const cx = x + 0.5;
      const value = Math.max(0, data[y * width + x]);
      let isInside = false;
      let distance = Infinity;
      for (const b of scaled) {
        const dx = cx < b.x0 ? b.x0 - cx : cx > b.x1 ? cx - b.x1 : 0;
        const dy = cy < b.y0 ? b.y0 - cy : cy > b.y1 ? cy - b.y1 : 0;
        const d = Math.hypot(dx, dy);
        if (d === 0) isInside = true;
        if (d < distance) distance = d;
      }
      total += value;
      if (isInside) {
        inside += value;
        insidePixels++;
      }
      if (data[y * width + x] === max) {
        maxima++;
        if (distance <= tolerance) maximaNear++;
      }
    }
  }
  const boxAreaFraction = insidePixels / (width * height);
  return {
    pointingHit: maximaNear / maxima,
    massInBoxes: total > 0 ? inside / total : boxAreaFraction,
    boxAreaFraction,
  };
}

/**
 * The baseline an explanation must beat: an isotropic Gaussian centred on the image (fractures are often near the
 * middle of a radiograph), `sigma` as a share of the shorter side (default 0.25).
 */
export function centerPriorHeatmap(width: number, height: number, options: { sigma?: number } = {}): Heatmap {
  const fn = 'centerPriorHeatmap';
  validateSize(fn, width, height);
  const sigma = (options.sigma ?? 0.25) * Math.min(width, height);
  if (!(sigma > 0)) throw new Error(`${fn}: sigma must be positive, got ${options.sigma}`);
  const data = new Float32Array(width * height);
  const cx = width / 2;
  const cy = height / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      data[y * width + x] = Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
    }
  }
  return { data, width, height };
}

/** A flat map: no localisation at all. Its scores are chance. */
export function uniformHeatmap(width: number, height: number): Heatmap {
  validateSize('uniformHeatmap', width, height);
  return { data: new Float32Array(width * height).fill(1), width, height };
}

function validateSize(fn: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${fn}: width and height must be positive integers, got ${width} x ${height}`);
  }
}

function validateHeatmap(fn: string, heatmap: Heatmap): void {
  if (!heatmap || !(heatmap.data instanceof Float32Array)) throw new Error(`${fn}: expected a heatmap with Float32Array data`);
  validateSize(fn, heatmap.width, heatmap.height);
  if (heatmap.data.length !== heatmap.width * heatmap.height) {
    throw new Error(`${fn}: heatmap data has ${heatmap.data.length} values, expected ${heatmap.width} x ${heatmap.height}`);
  }
  for (let i = 0; i < heatmap.data.length; i++) {
    if (Number.isNaN(heatmap.data[i])) throw new Error(`${fn}: heatmap has NaN at index ${i}`);
  }
}
