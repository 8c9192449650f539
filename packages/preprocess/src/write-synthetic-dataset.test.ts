import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { makeTempDir, removeDir, writeFile } from '../test/dataset-helpers';
import { findSharedSources, splitDataset } from './split-dataset';
import { scanImageFolder } from './scan-image-folder';
import { generateSyntheticRadiographs } from './synthetic-radiographs';
import { writeSyntheticDataset } from './write-synthetic-dataset';

describe('writeSyntheticDataset', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = makeTempDir('synthetic-ds');
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach(removeDir));

  test('writes the Kaggle layout that scanImageFolder reads back, with sources whole in one split', async () => {
    const dir = tempDir();
    const summary = await writeSyntheticDataset(dir, { count: 40, size: 32, seed: 5 });
    expect(readdirSync(dir).sort()).toEqual(['train', 'val']);
    expect(readdirSync(path.join(dir, 'val')).sort()).toEqual(['fractured', 'not fractured']);
    const scan = await scanImageFolder(dir);
    expect(scan.layout).toBe('kaggle');
    expect(scan.skipped).toEqual([]);
    expect(scan.unreadable).toEqual([]);
    expect(scan.items).toEqual(summary.items);
    expect(scan.items).toHaveLength(40);
    // Four images per source: N.png and N-rotated1..3.png.
    const names = readdirSync(path.join(dir, 'train', 'fractured')).sort();
    expect(names.some((n) => /^\d+\.png$/.test(n)) && names.some((n) => /^\d+-rotated3\.png$/.test(n))).toBe(true);
    const byFolder = splitDataset(scan.items, { protocol: 'given', seed: 0, valFraction: 0 });
    expect(findSharedSources(byFolder)).toEqual([]);
    expect(scan.items.filter((i) => i.split === 'val').length).toBe(8); // 20 % of 10 sources, 4 images each
  });

  test('the PNGs hold exactly the generated pixels', async () => {
    const dir = tempDir();
    const summary = await writeSyntheticDataset(dir, { count: 6, size: 24, seed: 8, layout: 'image-folder', variantsPerSource: 2 });
    const generated = generateSyntheticRadiographs({ count: 6, size: 24, seed: 8, variantsPerSource: 2 });
    expect(summary.items.map((i) => path.relative(dir, i.path).split(path.sep)[0]).every((c) => c === 'fractured' || c === 'not fractured')).toBe(true);
    for (const radiograph of generated) {
      const k = generated.filter((g) => g.sourceId === radiograph.sourceId).indexOf(radiograph);
      const name = k === 0 ? `${radiograph.sourceId}.png` : `${radiograph.sourceId}-rotated${k}.png`;
      const png = PNG.sync.read(readFileSync(path.join(dir, radiograph.className, name)));
      const gray = Uint8Array.from({ length: 24 * 24 }, (_, p) => png.data[p * 4]);
      expect(gray).toEqual(radiograph.image.data);
    }
  });

  test('refuses a directory that is not empty', async () => {
    const dir = tempDir();
    writeFile(dir, 'keep.txt', 'x');
    await expect(writeSyntheticDataset(dir, { count: 2, size: 16, seed: 0 })).rejects.toThrow(/^writeSyntheticDataset: .* is not empty$/);
  });
});
