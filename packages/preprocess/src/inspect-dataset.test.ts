import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { inspectDataset } from './inspect-dataset';

function png(width: number, height: number, value: number): Buffer {
  const image = new PNG({ width, height });
  image.data.fill(value);
  return PNG.sync.write(image);
}

describe('inspectDataset', () => {
  let root: string;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'inspect-'));
    const write = async (rel: string, data: Buffer | string) => {
      await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await fs.writeFile(path.join(root, rel), data);
    };
    await write('train/fractured/1-rotated1.png', png(32, 32, 10));
    await write('train/fractured/1-rotated2.png', png(32, 32, 10)); // byte-identical to rotated1
    await write('train/fractured/2.png', png(300, 200, 20));
    await write('train/not fractured/5-rotated1.png', png(64, 64, 30));
    await write('val/fractured/1.png', png(40, 40, 40)); // source 1 of fractured also in val: leakage
    await write('val/not fractured/6.png', png(16, 16, 50));
    await write('val/not fractured/notes.txt', 'not an image');
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  test('counts, duplicates, shared sources and sizes', async () => {
    const report = await inspectDataset(root);
    expect(report.layout).toBe('kaggle');
    expect(report.total).toBe(6);
    expect(report.counts).toEqual({ train: { fractured: 3, 'not fractured': 1 }, val: { fractured: 1, 'not fractured': 1 } });
    expect(report.duplicates).toEqual([[path.join('train', 'fractured', '1-rotated1.png'), path.join('train', 'fractured', '1-rotated2.png')]]);
    expect(report.sharedSources).toEqual([{ className: 'fractured', sourceId: '1', splits: ['train', 'val'], images: 3 }]);
    expect(report.sources.train).toEqual({ fractured: 2, 'not fractured': 1 });
    expect(report.skipped.map((s) => path.basename(s.path))).toEqual(['notes.txt']);
    expect(report.sizes).toEqual({ minWidth: 16, maxWidth: 300, minHeight: 16, maxHeight: 200 });
    expect(report.widthHistogram).toEqual({ '16-31': 1, '32-63': 3, '64-127': 1, '256-511': 1 });
  });
});
