import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { sha256File } from './file-sha256';
import { checkRunSettings, RUN_SETTINGS_FILE } from './run-settings';
import { tempDir } from './testing/fixtures';

describe('checkRunSettings', () => {
  let out: string;
  const base = { modelName: 'mobilenetv2', lr: 0.001, weights: 'imagenet.safetensors', weightsSha256: 'a'.repeat(64) };

  beforeEach(async () => {
    out = await tempDir('settings');
  });

  afterEach(async () => {
    await fs.rm(out, { recursive: true, force: true });
  });

  test('records a new run; a resume with the same settings matches; one with another lr is refused naming both', async () => {
    expect(await checkRunSettings(out, base, false, 'runTraining')).toBe('recorded');
    expect(JSON.parse(await fs.readFile(path.join(out, RUN_SETTINGS_FILE), 'utf8'))).toEqual(base);
    expect(await checkRunSettings(out, base, true, 'runTraining')).toBe('matched');
    await expect(checkRunSettings(out, { ...base, lr: 0.01 }, true, 'runTraining')).rejects.toThrow(/^runTraining: .* holds checkpoints of a run with lr 0\.001; this run asks for lr 0\.01\./);
  });

  test('weights compare by content: a renamed or moved file resumes, a changed one is refused', async () => {
    await checkRunSettings(out, base, false, 'runTraining');
    expect(await checkRunSettings(out, { ...base, weights: 'renamed.safetensors' }, true, 'runTraining')).toBe('matched');
    await expect(checkRunSettings(out, { ...base, weightsSha256: 'b'.repeat(64) }, true, 'runTraining')).rejects.toThrow(/weightsSha256 "a{64}"; this run asks for weightsSha256 "b{64}"/);
    await expect(checkRunSettings(out, { ...base, weights: null, weightsSha256: null }, true, 'runTraining')).rejects.toThrow(/weights "imagenet\.safetensors", weightsSha256 "a{64}"; this run asks for weights null, weightsSha256 null/);
  });

  test('a record from before weightsSha256 held the path as given: it compares by file name', async () => {
    const legacy = { modelName: 'mobilenetv2', lr: 0.001, weights: '/old/machine/weights/imagenet.safetensors' };
    await fs.writeFile(path.join(out, RUN_SETTINGS_FILE), JSON.stringify(legacy));
    expect(await checkRunSettings(out, base, true, 'runTraining')).toBe('matched');
    await expect(checkRunSettings(out, { ...base, weights: 'other.pth' }, true, 'runTraining')).rejects.toThrow(/weights "imagenet\.safetensors"; this run asks for weights "other\.pth"/);
    const fromScratch = { modelName: 'resnet18', lr: 0.001, weights: null };
    await fs.writeFile(path.join(out, RUN_SETTINGS_FILE), JSON.stringify(fromScratch));
    expect(await checkRunSettings(out, { ...fromScratch, weightsSha256: null }, true, 'runTraining')).toBe('matched');
  });
});

describe('sha256File', () => {
  test("equals node:crypto's hash of the whole file, and names the file it cannot read", async () => {
    const dir = await tempDir('sha');
    const file = path.join(dir, 'w.bin');
    const bytes = new Uint8Array(3 * 65536 + 17).map((_, i) => (i * 31) % 251);
    await fs.writeFile(file, bytes);
    expect(await sha256File(file, 'runTraining')).toBe(createHash('sha256').update(bytes).digest('hex'));
    await expect(sha256File(path.join(dir, 'missing.pth'), 'runTraining')).rejects.toThrow(/^runTraining: cannot read .*missing\.pth: ENOENT/);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
