import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hasPython, makeTempDir, PYTHON, removeDir, writeFile } from '../test/dataset-helpers';
import type { DatasetSplit } from './dataset-types';
import { parseCsv, parseSplitManifest, readSplitManifest, writeSplitManifest } from './split-manifest';

describe('split manifests', () => {
  let root: string;
  let split: DatasetSplit;

  beforeEach(() => {
    root = makeTempDir('manifest');
    const file = (relative: string) => writeFile(root, relative, 'x');
    split = {
      train: [
        { path: file('train/not fractured/12-rotated1.jpg'), label: 1, className: 'not fractured', split: 'train', sourceId: '12' },
        { path: file('train/fractured/a,b "quoted".png'), label: 0, className: 'fractured', split: 'train', sourceId: 'a,b "quoted"' },
      ],
      val: [{ path: file('train/fractured/3.jpg'), label: 0, className: 'fractured', split: 'val' }],
      test: [{ path: file('val/odd\nname.png'), label: 1, className: 'not fractured', split: 'test', sourceId: '' + 7 }],
    };
  });

  afterEach(() => removeDir(root));

  test('on a full disk the error names the manifest and no temporary file is left', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, readdirSync } = await import('node:fs');
    const disk = mkdtempSync(path.join(root, 'disk-'));
    if (process.getuid?.() !== 0 || spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', disk]).status !== 0) {
      console.warn('split manifest full-disk test skipped: no tmpfs here (not root, or mount refused)');
      return;
    }
    try {
      const manifest = path.join(disk, 'split.csv');
      const many = { ...split, train: Array.from({ length: 200 }, () => split.train[0]) };
      await expect(writeSplitManifest(manifest, many, { root })).rejects.toMatchObject({
        code: 'ENOSPC',
        message: expect.stringContaining(`writeSplitManifest: cannot write ${manifest}: ENOSPC`),
      });
      expect(readdirSync(disk)).toEqual([]);
    } finally {
      spawnSync('umount', [disk]);
    }
  });

  test('a written manifest reads back exactly', async () => {
    const manifest = path.join(root, 'split.csv');
    await writeSplitManifest(manifest, split);
    expect(await readSplitManifest(manifest)).toEqual(split);
    expect(readFileSync(manifest, 'utf8').split('\r\n')[0]).toBe('path,label,className,split,sourceId');
  });

  test('paths are relative to the root, so the dataset can move with its manifest', async () => {
    const manifest = path.join(root, 'runs', 'split.csv');
    await writeSplitManifest(manifest, split, { root });
    expect(readFileSync(manifest, 'utf8')).toContain('"train/not fractured/12-rotated1.jpg",1,"not fractured",train,12');
    expect(await readSplitManifest(manifest, { root })).toEqual(split);
  });

  const pythonTest = hasPython(['csv']) ? test : test.skip;
  if (!hasPython(['csv'])) console.warn(`split manifests: ${PYTHON} not found; skipping the comparison with Python's csv module`);
  pythonTest("Python's csv module reads our manifest, and we read Python's", async () => {
    const manifest = path.join(root, 'split.csv');
    await writeSplitManifest(manifest, split);
    const script = 'import csv, json, sys\nprint(json.dumps(list(csv.reader(open(sys.argv[1], newline="")))))';
    const rows = JSON.parse(execFileSync(PYTHON, ['-c', script, manifest], { encoding: 'utf8' }));
    expect(rows).toEqual(parseCsv(readFileSync(manifest, 'utf8')));
    expect(rows[2]).toEqual(['train/fractured/a,b "quoted".png', '0', 'fractured', 'train', 'a,b "quoted"']);

    const pythonManifest = path.join(root, 'python.csv');
    const writer = [
      'import csv, json, sys',
      'w = csv.writer(open(sys.argv[1], "w", newline=""))',
      'w.writerows(json.loads(sys.argv[2]))',
    ].join('\n');
    execFileSync(PYTHON, ['-c', writer, pythonManifest, JSON.stringify(rows)]);
    expect(await readSplitManifest(pythonManifest)).toEqual(split);
  });

  test('reading names the missing files', async () => {
    const manifest = path.join(root, 'split.csv');
    await writeSplitManifest(manifest, split);
    rmSync(split.val[0].path);
    await expect(readSplitManifest(manifest)).rejects.toThrow(
      `readSplitManifest: ${manifest}: 1 missing file(s): ${split.val[0].path}`,
    );
    await expect(readSplitManifest(manifest, { checkFiles: false })).resolves.toBeDefined();
  });

  test('malformed manifests are errors with the row', async () => {
    expect(() => parseSplitManifest('a,b\n', root)).toThrow(/^parseSplitManifest: expected the header/);
    const header = 'path,label,className,split,sourceId\n';
    expect(() => parseSplitManifest(`${header}x.png,1,c,train\n`, root)).toThrow('row 2 has 4 fields');
    expect(() => parseSplitManifest(`${header}x.png,one,c,train,\n`, root)).toThrow("row 2: label must be");
    expect(() => parseSplitManifest(`${header}x.png,1,c,holdout,\n`, root)).toThrow("row 2: split must be");
    const manifest = path.join(root, 'bad.csv');
    writeFileSync(manifest, `${header}"x.png,1,c,train,\n`);
    await expect(readSplitManifest(manifest)).rejects.toThrow(`readSplitManifest: ${manifest}: parseCsv: unterminated`);
  });
});
