import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { modelFingerprint } from './model-fingerprint';
import { tempDir } from './testing/fixtures';

describe('modelFingerprint', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await tempDir('fingerprint');
    await fs.writeFile(path.join(dir, 'model.json'), '{"a":1}');
    await fs.writeFile(path.join(dir, 'weights.bin'), new Uint8Array([1, 2, 3]));
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('is the SHA-256 of each file name, length and bytes, in name order', async () => {
    const expected = createHash('sha256')
      .update('model.json\u00007\u0000')
      .update('{"a":1}')
      .update('weights.bin\u00003\u0000')
      .update(new Uint8Array([1, 2, 3]))
      .digest('hex');
    expect(await modelFingerprint(dir)).toBe(expected);
  });

  test('changes when one weight byte changes, and ignores sub-folders', async () => {
    const before = await modelFingerprint(dir);
    await fs.mkdir(path.join(dir, 'sub'));
    await fs.writeFile(path.join(dir, 'sub', 'x'), 'y');
    expect(await modelFingerprint(dir)).toBe(before);
    await fs.writeFile(path.join(dir, 'weights.bin'), new Uint8Array([1, 2, 4]));
    expect(await modelFingerprint(dir)).not.toBe(before);
  });

  test('names the folder it cannot read', async () => {
    await expect(modelFingerprint(path.join(dir, 'missing'))).rejects.toThrow(/modelFingerprint: cannot read the model folder .*missing/);
  });
});
