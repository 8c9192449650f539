import path from 'node:path';
import { jpegBytes, makeTempDir, removeDir, writeFile } from '../test/dataset-helpers';
import { blockId, parseYoloBoxes, scanFracAtlas } from './fracatlas-layout';
import { scanImageFolder } from './scan-image-folder';
import { splitDataset } from './split-dataset';

const CSV_HEADER = 'image_id,hand,leg,hip,shoulder,mixed,hardware,multiscan,fractured,fracture_count,frontal,lateral,oblique';

/** A release-style folder: capitalised `Annotations/YOLO`, a truncated JPEG, a duplicate and a label conflict. */
function writeRelease(root: string): void {
  writeFile(root, 'images/Fractured/IMG0000101.jpg', jpegBytes(40, 20, 1));
  writeFile(root, 'images/Fractured/IMG0000102.jpg', jpegBytes(30, 30, 2));
  // In Fractured/ while dataset.csv says 0: the folder wins, and a warning says so.
  writeFile(root, 'images/Fractured/IMG0000250.jpg', jpegBytes(16, 16, 3));
  writeFile(root, 'images/Non_fractured/IMG0000103.jpg', jpegBytes(16, 16, 4));
  // Byte-identical to IMG0000103 but in another block: must join its original's group.
  writeFile(root, 'images/Non_fractured/IMG0000377.jpg', jpegBytes(16, 16, 4));
  const whole = jpegBytes(24, 24, 5);
  writeFile(root, 'images/Non_fractured/IMG0000104.jpg', whole.subarray(0, whole.length - 30));
  writeFile(root, 'images/Non_fractured/Thumbs.db', 'not an image');
  writeFile(
    root,
    'dataset.csv',
    [
      CSV_HEADER,
      'IMG0000101.jpg,1,0,0,0,0,1,0,1,2,1,0,1',
      'IMG0000102.jpg,0,1,0,0,0,0,1,1,1,0,1,0',
      'IMG0000103.jpg,0,0,1,0,0,0,0,0,0,1,0,0',
      'IMG0000104.jpg,0,0,1,0,0,0,0,0,0,1,0,0',
      'IMG0000250.jpg,1,1,0,0,1,0,0,0,1,0,1,0',
      'IMG0000377.jpg,0,0,1,0,0,0,0,0,0,1,0,0',
    ].join('\n') + '\n',
  );
  // Two fractures on IMG0000101 (40 x 20): pixel boxes follow from the normalised YOLO values.
  writeFile(root, 'Annotations/YOLO/IMG0000101.txt', '0 0.5 0.5 0.25 0.5\n0 0.125 0.25 0.25 0.5\n');
  writeFile(root, 'Annotations/YOLO/IMG0000102.txt', '0 0.5 0.5 0.2 0.2\nnot a box\n');
  writeFile(root, 'Annotations/YOLO/IMG0000103.txt', '');
}

describe('scanFracAtlas', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir('fracatlas');
    writeRelease(root);
  });
  afterAll(() => removeDir(root));

  test('scanImageFolder recognises the layout; labels come from the folders', async () => {
    const scan = await scanImageFolder(root);
    expect(scan.layout).toBe('fracatlas');
    expect(scan.classNames).toEqual(['fractured', 'not fractured']);
    expect(scan.items.map((i) => [path.basename(i.path), i.label, i.className])).toEqual([
      ['IMG0000101.jpg', 0, 'fractured'],
      ['IMG0000102.jpg', 0, 'fractured'],
      ['IMG0000250.jpg', 0, 'fractured'],
      ['IMG0000103.jpg', 1, 'not fractured'],
      ['IMG0000377.jpg', 1, 'not fractured'],
    ]);
  });

  test('metadata from dataset.csv and boxes in pixels of the image', async () => {
    const scan = await scanFracAtlas(root);
    const first = scan.items[0];
    expect(first.metadata).toEqual({ imageId: 'IMG0000101', regions: ['hand'], hardware: true, multiscan: false, views: ['frontal', 'oblique'], fractureCount: 2 });
    // cx 0.5, w 0.25 of 40 px: x = (0.5 - 0.125) * 40 = 15, width 10; cy 0.5, h 0.5 of 20 px: y = 5, height 10.
    expect(first.boxes).toEqual([
      { x: 15, y: 5, width: 10, height: 10 },
      { x: 0, y: 0, width: 10, height: 10 },
    ]);
    expect(scan.items[1].metadata).toMatchObject({ regions: ['leg'], multiscan: true, views: ['lateral'] });
    expect(scan.items[1].boxes).toHaveLength(1);
    // An empty YOLO file and a missing one both mean no boxes.
    expect(scan.items.find((i) => i.path.endsWith('IMG0000103.jpg'))?.boxes).toEqual([]);
    expect(scan.items.find((i) => i.path.endsWith('IMG0000250.jpg'))?.boxes).toEqual([]);
  });

  test('truncated files are reported by path and reason and skipped; other files are listed as skipped', async () => {
    const scan = await scanFracAtlas(root);
    expect(scan.unreadable).toEqual([{ path: path.join(root, 'images/Non_fractured/IMG0000104.jpg'), reason: 'truncated JPEG (no end-of-image marker)' }]);
    expect(scan.skipped.map((s) => path.basename(s.path))).toEqual(['Thumbs.db']);
  });

  test('a CSV that disagrees with the folder and a malformed box line are warnings naming the file', async () => {
    const scan = await scanFracAtlas(root);
    expect(scan.warnings).toEqual([
      expect.stringMatching(/Annotations\/YOLO\/IMG0000102\.txt: line 2: expected 'class cx cy w h', got 'not a box'/),
      expect.stringMatching(/IMG0000250\.jpg: dataset\.csv says fractured = 0 but the file is in Fractured\/; the folder's label is used/),
    ]);
  });

  test('duplicates are grouped under their original block, so that no split separates them', async () => {
    const scan = await scanFracAtlas(root);
    expect(scan.duplicates).toEqual([[path.join(root, 'images/Non_fractured/IMG0000103.jpg'), path.join(root, 'images/Non_fractured/IMG0000377.jpg')]]);
    const copy = scan.items.find((i) => i.path.endsWith('IMG0000377.jpg'));
    expect(copy?.sourceId).toBe('ids 100-119');
    expect(copy?.metadata?.duplicateOf).toBe(path.join(root, 'images/Non_fractured/IMG0000103.jpg'));
    for (let seed = 0; seed < 10; seed++) {
      const split = splitDataset(scan.items, { protocol: 'blocks', seed, fractions: [0.34, 0.33, 0.33] });
      const partOf = (name: string) => (['train', 'val', 'test'] as const).find((p) => split[p].some((i) => i.path.endsWith(name)));
      expect(partOf('IMG0000377.jpg')).toBe(partOf('IMG0000103.jpg'));
    }
  });

  test('our lower-case annotations folder and a missing dataset.csv', async () => {
    const copy = makeTempDir('fracatlas-copy');
    try {
      writeFile(copy, 'images/Fractured/IMG0000001.jpg', jpegBytes(10, 10, 1));
      writeFile(copy, 'images/Non_fractured/IMG0000002.jpg', jpegBytes(10, 10, 2));
      writeFile(copy, 'annotations/YOLO/IMG0000001.txt', '0 0.5 0.5 1 1\n');
      const scan = await scanImageFolder(copy);
      expect(scan.items[0].boxes).toEqual([{ x: 0, y: 0, width: 10, height: 10 }]);
      expect(scan.items[0].metadata).toEqual({ imageId: 'IMG0000001' });
      expect(scan.warnings).toEqual([expect.stringMatching(/dataset\.csv: not found; items have no region, implant or view metadata/)]);
    } finally {
      removeDir(copy);
    }
  });

  test('idBlockSize is validated and sets the groups', async () => {
    await expect(scanFracAtlas(root, { idBlockSize: 0 })).rejects.toThrow('scanFracAtlas: idBlockSize must be a positive integer, got 0');
    const scan = await scanFracAtlas(root, { idBlockSize: 1000 });
    expect(new Set(scan.items.map((i) => i.sourceId))).toEqual(new Set(['ids 0-999']));
  });
});

describe('blockId and parseYoloBoxes', () => {
  test('blocks of consecutive ids', () => {
    expect(blockId('IMG0001234', 100)).toBe('ids 1200-1299');
    expect(blockId('IMG0001234', 20)).toBe('ids 1220-1239');
    expect(blockId('scan-a')).toBe('scan-a');
  });

  test('YOLO centre boxes to pixel corner boxes', () => {
    const warnings: string[] = [];
    expect(parseYoloBoxes('0 0.25 0.75 0.5 0.5\r\n\n1 1 1 0 0\n0 0.5\n', 200, 100, 'a.txt', warnings)).toEqual([
      { x: 0, y: 50, width: 100, height: 50 },
      { x: 200, y: 100, width: 0, height: 0 },
    ]);
    expect(warnings).toEqual(["a.txt: line 4: expected 'class cx cy w h', got '0 0.5'; left out"]);
  });
});
