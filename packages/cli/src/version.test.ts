import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from './testing/fixtures';

const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

describe('fracture --version', () => {
  test.each([['--version'], ['-V']])('%s prints the package version and exits 0', async (flag) => {
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+/);
    const result = await runCli([flag]);
    expect(result).toEqual({ stdout: `${manifest.version}\n`, stderr: '', exitCode: 0 });
  });
});
