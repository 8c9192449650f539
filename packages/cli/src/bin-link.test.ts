import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync, realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The clone-then-`npx fracture` path: npm links a workspace's bins when it installs, before any build, and
// skips a target that does not exist yet; so the bin must be a committed file, not a build output.
const packageDir = path.join(__dirname, '..');
const repoRoot = path.join(packageDir, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  files: string[];
};
const binFile = path.join(packageDir, manifest.bin.fracture!);

describe('the fracture bin', () => {
  test('is a committed file that the package ships, not a build output', () => {
    const tracked = execFileSync('git', ['ls-files', '--error-unmatch', binFile], { cwd: packageDir, encoding: 'utf8' });
    expect(tracked.trim()).toBe(path.relative(packageDir, binFile));
    expect(path.relative(packageDir, binFile).startsWith('dist')).toBe(false);
    expect(manifest.files).toContain(path.relative(packageDir, binFile).split(path.sep)[0]);
    expect(readFileSync(binFile, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  test('is linked into the workspace by npm install, so `npx fracture` works in a clone', () => {
    const link = path.join(repoRoot, 'node_modules', '.bin', 'fracture');
    expect(existsSync(link)).toBe(true);
    expect(realpathSync(link)).toBe(realpathSync(binFile));
  });

  test('runs the built CLI: `fracture --version`', () => {
    if (!existsSync(path.join(packageDir, 'dist', 'bin.js'))) throw new Error('build @fracture/cli first (turbo runs its build before this test)');
    const result = spawnSync(process.execPath, [binFile, '--version'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${manifest.version}\n`);
    expect(result.status).toBe(0);
  });

  test('before a build, says how to build instead of a module-not-found trace', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fracture-bin-'));
    try {
      await fs.mkdir(path.join(dir, 'bin'));
      await fs.writeFile(path.join(dir, 'package.json'), '{"type":"module"}');
      await fs.copyFile(binFile, path.join(dir, 'bin', 'fracture.js'));
      const result = spawnSync(process.execPath, [path.join(dir, 'bin', 'fracture.js'), '--version'], { encoding: 'utf8' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('run `npm run build`');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
