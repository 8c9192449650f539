import { centerPriorHeatmap, localisationScore, uniformHeatmap } from './localisation-metrics';
import type { Heatmap } from './types';

function map(width: number, height: number, values: number[]): Heatmap {
  return { data: Float32Array.from(values), width, height };
}

describe('localisationScore', () => {
  // 4 x 4 map, box over the top-left 2 x 2 pixels.
  const box = [{ x: 0, y: 0, width: 2, height: 2 }];

  test('mass inside the box and a pointing hit, by hand', () => {
    const heat = map(4, 4, [4, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    // Inside: 4 + 2 = 6 of 8; the maximum (4) is at pixel (0, 0), inside.
    expect(localisationScore(heat, box, { tolerance: 0 })).toEqual({ pointingHit: 1, massInBoxes: 0.75, boxAreaFraction: 0.25 });
  });

  test('a maximum outside the box misses, unless within the tolerance', () => {
    const heat = map(4, 4, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
    // Pixel (3, 3) has its centre at (3.5, 3.5); the box ends at (2, 2): distance sqrt(1.5² + 1.5²) = 2.1213.
    expect(localisationScore(heat, box, { tolerance: 2.1 }).pointingHit).toBe(0);
    expect(localisationScore(heat, box, { tolerance: 2.13 }).pointingHit).toBe(1);
    expect(localisationScore(heat, box, { tolerance: 2.13 }).massInBoxes).toBe(0);
  });

  test('tied maxima score the expected hit; a flat or all-zero map scores chance', () => {
    const tied = map(4, 4, [5, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(localisationScore(tied, box, { tolerance: 0 }).pointingHit).toBe(0.5);
    expect(localisationScore(uniformHeatmap(4, 4), box, { tolerance: 0 })).toEqual({ pointingHit: 0.25, massInBoxes: 0.25, boxAreaFraction: 0.25 });
    expect(localisationScore(map(4, 4, new Array(16).fill(0)), box, { tolerance: 0 }).massInBoxes).toBe(0.25);
  });

  test('boxes in image pixels are scaled to the heatmap; overlapping boxes count once', () => {
    const heat = map(4, 4, [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // On a 400 x 200 image, the box (0, 0, 200, 100) is the top-left quarter of the 4 x 4 map.
    const inImage = [
      { x: 0, y: 0, width: 200, height: 100 },
      { x: 100, y: 50, width: 100, height: 50 },
    ];
    expect(localisationScore(heat, inImage, { imageWidth: 400, imageHeight: 200, tolerance: 0 })).toEqual({ pointingHit: 1, massInBoxes: 1, boxAreaFraction: 0.25 });
  });

  test('negative heat counts as none', () => {
    const heat = map(2, 1, [1, -3]);
    expect(localisationScore(heat, [{ x: 0, y: 0, width: 1, height: 1 }], { tolerance: 0 }).massInBoxes).toBe(1);
  });

  test('bad input names the function', () => {
    const heat = uniformHeatmap(2, 2);
    expect(() => localisationScore(heat, [])).toThrow('localisationScore: expected at least one box');
    expect(() => localisationScore(heat, [{ x: 0, y: 0, width: -1, height: 1 }])).toThrow('localisationScore: box 0 must have finite x, y');
    expect(() => localisationScore({ data: new Float32Array(3), width: 2, height: 2 }, [{ x: 0, y: 0, width: 1, height: 1 }])).toThrow(
      'localisationScore: heatmap data has 3 values, expected 2 x 2',
    );
    expect(() => localisationScore(map(1, 1, [NaN]), [{ x: 0, y: 0, width: 1, height: 1 }])).toThrow('localisationScore: heatmap has NaN at index 0');
    expect(() => localisationScore(heat, [{ x: 0, y: 0, width: 1, height: 1 }], { tolerance: -1 })).toThrow('tolerance must be a non-negative number');
  });
});

describe('baseline maps', () => {
  test('the centre prior is a Gaussian peaking at the centre, sigma a share of the shorter side', () => {
    const prior = centerPriorHeatmap(4, 2, { sigma: 0.5 });
    // sigma = 0.5 * 2 = 1; pixel (1, 0) has its centre at (1.5, 0.5), offset (-0.5, -0.5) from (2, 1).
    expect(prior.data[1]).toBeCloseTo(Math.exp(-0.5 / 2), 6);
    // Pixel (0, 0): offset (-1.5, -0.5).
    expect(prior.data[0]).toBeCloseTo(Math.exp(-2.5 / 2), 6);
    const central = localisationScore(centerPriorHeatmap(10, 10), [{ x: 4, y: 4, width: 2, height: 2 }], { tolerance: 0 });
    expect(central.pointingHit).toBe(1);
    const corner = localisationScore(centerPriorHeatmap(10, 10), [{ x: 0, y: 0, width: 2, height: 2 }], { tolerance: 0 });
    expect(corner.pointingHit).toBe(0);
    expect(corner.massInBoxes).toBeLessThan(corner.boxAreaFraction);
  });

  test('sizes are validated', () => {
    expect(() => uniformHeatmap(0, 3)).toThrow('uniformHeatmap: width and height must be positive integers, got 0 x 3');
    expect(() => centerPriorHeatmap(3, 3, { sigma: 0 })).toThrow('centerPriorHeatmap: sigma must be positive');
  });
});
