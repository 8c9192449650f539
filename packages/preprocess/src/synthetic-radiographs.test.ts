import { CLASS_NAMES } from './class-names';
import { createRng } from './rng';
import {
  generateSyntheticRadiographs,
  renderSyntheticRadiograph,
  sampleSyntheticSource,
  sampleSyntheticView,
} from './synthetic-radiographs';

describe('generateSyntheticRadiographs', () => {
  test('is deterministic by seed', () => {
    const a = generateSyntheticRadiographs({ count: 6, size: 32, seed: 3 });
    const b = generateSyntheticRadiographs({ count: 6, size: 32, seed: 3 });
    const c = generateSyntheticRadiographs({ count: 6, size: 32, seed: 4 });
    expect(b).toEqual(a);
    expect(c.map((r) => r.image.data)).not.toEqual(a.map((r) => r.image.data));
  });

  test('8-bit gray images with labels in CLASS_NAMES order and a box exactly for fractures', () => {
    const images = generateSyntheticRadiographs({ count: 50, size: 40, seed: 1 });
    expect(images).toHaveLength(50);
    expect(images.filter((r) => r.label === 0)).toHaveLength(25);
    for (const r of images) {
      expect(r.image).toMatchObject({ width: 40, height: 40, channels: 1, bitDepth: 8 });
      expect(r.image.data).toBeInstanceOf(Uint8Array);
      expect(r.image.data).toHaveLength(1600);
      expect(r.className).toBe(CLASS_NAMES[r.label]);
      expect(r.fractureBox === null).toBe(r.className === 'not fractured');
      if (r.fractureBox) {
        const { x, y, width, height } = r.fractureBox;
        expect(x >= 0 && y >= 0 && width > 0 && height > 0 && x + width <= 40 && y + height <= 40).toBe(true);
      }
    }
    expect(new Set(images.map((r) => r.sourceId)).size).toBe(50);
    expect(generateSyntheticRadiographs({ count: 10, size: 16, seed: 1, fractureFraction: 0 }).every((r) => r.label === 1)).toBe(true);
    expect(generateSyntheticRadiographs({ count: 10, size: 16, seed: 1, fractureFraction: 1 }).every((r) => r.label === 0)).toBe(true);
  });

  test('exposure varies between images (not a constant brightness a model could key on)', () => {
    const images = generateSyntheticRadiographs({ count: 40, size: 32, seed: 2 });
    const means = images.map((r) => Array.from(r.image.data).reduce((s, v) => s + v, 0) / r.image.data.length);
    const fracturedMean = means.filter((_, i) => images[i].label === 0).reduce((s, v) => s + v, 0) / 20;
    const intactMean = means.filter((_, i) => images[i].label === 1).reduce((s, v) => s + v, 0) / 20;
    expect(Math.max(...means) - Math.min(...means)).toBeGreaterThan(15);
    expect(Math.abs(fracturedMean - intactMean)).toBeLessThan(10);
  });

  test('variants of a source share its id, label and break, with new views', () => {
    const images = generateSyntheticRadiographs({ count: 10, size: 32, seed: 7, variantsPerSource: 4 });
    expect(images.map((r) => r.sourceId)).toEqual(['1', '1', '1', '1', '2', '2', '2', '2', '3', '3']);
    for (const id of ['1', '2', '3']) {
      const group = images.filter((r) => r.sourceId === id);
      expect(new Set(group.map((r) => r.label)).size).toBe(1);
      expect(new Set(group.map((r) => r.image.data.join())).size).toBe(group.length);
    }
  });

  test('the break line lies inside fractureBox and darkens the bone; displacement moves the distal fragment', () => {
    const size = 64;
    for (let seed = 0; seed < 20; seed++) {
      const rng = createRng(seed);
      const source = sampleSyntheticSource(size, true, rng);
      const view = sampleSyntheticView(size, rng);
      const intact = renderSyntheticRadiograph(size, source, view, seed, false);
      expect(intact.fractureBox).toBeNull();

      // Without displacement the break is only the gap: every changed pixel is in the box, and darker.
      const clean = renderSyntheticRadiograph(size, { ...source, displacement: 0, angulation: 0 }, view, seed);
      const box = clean.fractureBox!;
      let darker = 0;
      let changedOutsideBox = 0;
      let brighter = 0;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const diff = clean.data[y * size + x] - intact.data[y * size + x];
          const inside = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
          if (diff !== 0 && !inside) changedOutsideBox++;
          if (diff > 0) brighter++;
          if (diff < -25) darker++;
        }
      }
      expect({ seed, changedOutsideBox, brighter }).toEqual({ seed, changedOutsideBox: 0, brighter: 0 });
      expect(darker).toBeGreaterThanOrEqual(6);

      // Displacement moves the whole distal fragment, so it changes pixels beyond the box.
      const displaced = renderSyntheticRadiograph(size, source, view, seed);
      expect(displaced.fractureBox).not.toBeNull();
      let changedByDisplacement = 0;
      for (let i = 0; i < size * size; i++) if (displaced.data[i] !== clean.data[i]) changedByDisplacement++;
      expect(changedByDisplacement).toBeGreaterThan(0);
    }
  });

  test('invalid options are errors that name the function', () => {
    expect(() => generateSyntheticRadiographs({ count: -1, seed: 0 })).toThrow(/^generateSyntheticRadiographs: count/);
    expect(() => generateSyntheticRadiographs({ count: 1, size: 8, seed: 0 })).toThrow(/size must be/);
    expect(() => generateSyntheticRadiographs({ count: 1, seed: 0, fractureFraction: 2 })).toThrow(/fractureFraction/);
    expect(() => generateSyntheticRadiographs({ count: 1, seed: NaN })).toThrow(/finite seed/);
  });
});
