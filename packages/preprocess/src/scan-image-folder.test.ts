import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { hasPython, jpegBytes, makeTempDir, pngBytes, PYTHON, removeDir, writeFile } from '../test/dataset-helpers';
import { scanImageFolder } from './scan-image-folder';

describe('scanImageFolder', () => {
  let kaggle: string;
  let imageFolder: string;

  beforeAll(() => {
    kaggle = makeTempDir('scan-kaggle');
    writeFile(kaggle, 'train/fractured/10-rotated1.jpg', jpegBytes(8, 6));
    writeFile(kaggle, 'train/fractured/10.jpg', jpegBytes(9, 7));
    writeFile(kaggle, 'train/fractured/2-rotated2.png', pngBytes(5, 5));
    writeFile(kaggle, 'train/not fractured/7-rotated1-rotated3.jpg', jpegBytes(6, 6));
    writeFile(kaggle, 'train/not fractured/notes.txt', 'not an image');
    writeFile(kaggle, 'train/not fractured/README', 'no extension');
    const truncated = jpegBytes(16, 16);
    writeFile(kaggle, 'train/not fractured/8.jpg', truncated.subarray(0, truncated.length - 40));
    writeFile(kaggle, 'val/fractured/3.JPG', jpegBytes(4, 4));
    writeFile(kaggle, 'val/not fractured/4-rotated1.png', pngBytes(4, 3));
    const cutPng = pngBytes(12, 12);
    writeFile(kaggle, 'val/not fractured/5.png', cutPng.subarray(0, cutPng.length - 20));
    writeFile(kaggle, 'val/not fractured/6.png', 'plain text with a .png name');
    writeFile(kaggle, 'manifest.csv', 'path\n');

    imageFolder = makeTempDir('scan-imagefolder');
    writeFile(imageFolder, 'b class/x.png', pngBytes(3, 3));
    writeFile(imageFolder, 'a/nested/y.jpeg', jpegBytes(3, 3));
    writeFile(imageFolder, 'a/z.png', pngBytes(3, 3));
    writeFile(imageFolder, 'B/w.png', pngBytes(3, 3));
  });

  afterAll(() => {
    removeDir(kaggle);
    removeDir(imageFolder);
  });

  test('the Kaggle layout: splits, classes with spaces, sorted labels, source ids', async () => {
    const scan = await scanImageFolder(kaggle);
    expect(scan.layout).toBe('kaggle');
    expect(scan.classNames).toEqual(['fractured', 'not fractured']);
    const rows = scan.items.map((i) => [path.relative(kaggle, i.path), i.label, i.className, i.split, i.sourceId]);
    expect(rows).toEqual([
      ['train/fractured/10-rotated1.jpg', 0, 'fractured', 'train', '10'],
      ['train/fractured/10.jpg', 0, 'fractured', 'train', '10'],
      ['train/fractured/2-rotated2.png', 0, 'fractured', 'train', '2'],
      ['train/not fractured/7-rotated1-rotated3.jpg', 1, 'not fractured', 'train', '7'],
      ['val/fractured/3.JPG', 0, 'fractured', 'val', '3'],
      ['val/not fractured/4-rotated1.png', 1, 'not fractured', 'val', '4'],
    ]);
  });

  test('non-image files are skipped and unreadable images reported with a reason, without throwing', async () => {
    const scan = await scanImageFolder(kaggle);
    expect(scan.skipped.map((s) => [path.relative(kaggle, s.path), s.reason])).toEqual([
      ['manifest.csv', 'outside a class folder'],
      ['train/not fractured/README', 'not an image (no extension)'],
      ['train/not fractured/notes.txt', 'not an image (.txt)'],
    ]);
    expect(scan.unreadable.map((s) => [path.relative(kaggle, s.path), s.reason])).toEqual([
      ['train/not fractured/8.jpg', 'truncated JPEG (no end-of-image marker)'],
      ['val/not fractured/5.png', 'truncated PNG (no IEND chunk)'],
      ['val/not fractured/6.png', 'unrecognised image signature (not PNG, JPEG or DICOM)'],
    ]);
  });

  test("verify: 'none' trusts extensions", async () => {
    const scan = await scanImageFolder(kaggle, { verify: 'none' });
    expect(scan.items).toHaveLength(9);
    expect(scan.unreadable).toEqual([]);
  });

  test('the ImageFolder layout recurses into class folders and sorts by code point', async () => {
    const scan = await scanImageFolder(imageFolder);
    expect(scan.layout).toBe('image-folder');
    expect(scan.classNames).toEqual(['B', 'a', 'b class']);
    expect(scan.items.map((i) => [path.relative(imageFolder, i.path), i.label])).toEqual([
      ['B/w.png', 0],
      ['a/z.png', 1],
      ['a/nested/y.jpeg', 1],
      ['b class/x.png', 2],
    ]);
    expect(scan.items.every((i) => i.split === undefined)).toBe(true);
  });

  const pythonTest = hasPython(['torchvision']) ? test : test.skip;
  if (!hasPython(['torchvision'])) console.warn(`scanImageFolder: ${PYTHON} with torchvision not found; skipping the ImageFolder comparison`);
  pythonTest('labels and order match torchvision ImageFolder', async () => {
    const script = [
      'import json, sys, os',
      'from torchvision.datasets import ImageFolder',
      'd = ImageFolder(sys.argv[1], loader=lambda p: p)',
      'print(json.dumps({"classes": d.classes, "samples": [[os.path.relpath(p, sys.argv[1]), y] for p, y in d.samples]}))',
    ].join('\n');
    for (const root of [imageFolder, path.join(kaggle, 'train')]) {
      const reference = JSON.parse(execFileSync(PYTHON, ['-c', script, root], { encoding: 'utf8' }));
      const scan = await scanImageFolder(root);
      const unreadable = new Set(scan.unreadable.map((u) => path.relative(root, u.path)));
      expect(scan.classNames).toEqual(reference.classes);
      expect(scan.items.map((i) => [path.relative(root, i.path), i.label])).toEqual(
        reference.samples.filter(([p]: [string]) => !unreadable.has(p)),
      );
    }
  });

  test('a missing root is an error that names the function and the path', async () => {
    await expect(scanImageFolder(path.join(kaggle, 'nope'))).rejects.toThrow(/^scanImageFolder: .*nope: no such directory$/);
  });
});
