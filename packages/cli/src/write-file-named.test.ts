import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { mountSmallDisk } from './testing/small-disk';
import { tempDir } from './testing/fixtures';
import { writeFileNamed } from './write-file-named';

describe('writeFileNamed', () => {
  let work: string;
  beforeEach(async () => {
    work = await tempDir('write');
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await fs.rm(work, { recursive: true, force: true });
  });

  test('writes, atomically when asked, and leaves no temporary file', async () => {
    const file = path.join(work, 'a.json');
    await writeFileNamed(file, '{}', 'f', { atomic: true });
    expect(await fs.readFile(file, 'utf8')).toBe('{}');
    expect(await fs.readdir(work)).toEqual(['a.json']);
  });

  test('a full disk names the file and the function, keeps the code, and leaves nothing half-written', async () => {
    const disk = await mountSmallDisk(work, '16k');
    const dir = disk?.dir ?? work;
    if (!disk) {
      console.warn('writeFileNamed: no tmpfs here (not root, or mount refused): simulating ENOSPC');
      jest.spyOn(fs, 'writeFile').mockRejectedValue(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    }
    try {
      const file = path.join(dir, 'run.json');
      const failure = writeFileNamed(file, new Uint8Array(64 * 1024), 'runTraining', { atomic: true });
      await expect(failure).rejects.toThrow(`runTraining: cannot write ${file}: no space left on device [ENOSPC]`);
      await expect(writeFileNamed(file, new Uint8Array(64 * 1024), 'runTraining')).rejects.toMatchObject({ code: 'ENOSPC', path: file });
      expect(await fs.readdir(dir)).toEqual([]);
    } finally {
      disk?.unmount();
    }
  });
});
