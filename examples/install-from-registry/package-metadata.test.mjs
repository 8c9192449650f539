import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// What a registry user gets, checked without a registry: fast, and it names the package and field that is wrong.
const run = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packagesDir = join(repoRoot, 'packages');
const rootLicense = await readFile(join(repoRoot, 'LICENSE'), 'utf8');
const manifests = [];
for (const entry of await readdir(packagesDir)) {
  const manifest = JSON.parse(await readFile(join(packagesDir, entry, 'package.json'), 'utf8'));
  if (!manifest.private) manifests.push({ dir: join(packagesDir, entry), manifest });
}
const versions = new Map(manifests.map(({ manifest }) => [manifest.name, manifest.version]));

test('the root LICENSE is the Apache License 2.0 that every package declares', () => {
  assert.match(rootLicense, /Apache License\s+Version 2\.0, January 2004/);
  for (const { manifest } of manifests) assert.equal(manifest.license, 'Apache-2.0', manifest.name);
});

for (const { dir, manifest } of manifests) {
  test(`${manifest.name}: a released version, caret ranges on our packages, links, and every shipped file present`, async () => {
    assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
    assert.notEqual(manifest.version, '0.0.0', 'run `npx changeset version`');
    for (const field of ['dependencies', 'peerDependencies', 'devDependencies']) {
      for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
        if (!versions.has(dep)) continue;
        // Exact pins break as soon as one package is released without the others.
        assert.equal(range, `^${versions.get(dep)}`, `${manifest.name} ${field}.${dep}`);
      }
    }
    assert.match(manifest.repository?.url ?? '', /^git\+https:\/\/.+\.git$/, `${manifest.name} repository.url`);
    assert.equal(manifest.repository.directory, `packages/${dir.split('/').at(-1)}`);
    assert.match(manifest.homepage ?? '', /^https:\/\//, `${manifest.name} homepage`);
    assert.match(manifest.bugs?.url ?? '', /^https:\/\//, `${manifest.name} bugs.url`);
    assert.equal(await readFile(join(dir, 'LICENSE'), 'utf8'), rootLicense, `${manifest.name} LICENSE`);
    for (const entry of manifest.files) {
      if (!entry.includes('*')) assert.ok(existsSync(join(dir, entry)), `${manifest.name}: files lists ${entry}, which does not exist`);
    }
    assert.match(await readFile(join(dir, 'CHANGELOG.md'), 'utf8'), new RegExp(`^# ${manifest.name}\\n\\n## ${manifest.version.replace(/\./g, '\\.')}\\n`));
  });

  test(`${manifest.name}: the README's images are in the package (they resolve on the registry)`, async () => {
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)|<img[^>]+src="([^"]+)"/g)].map((m) => m[1] ?? m[2]);
    const relative = images.filter((src) => !/^https:\/\//.test(src));
    if (relative.length === 0) return;
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir });
    const shipped = new Set(JSON.parse(stdout)[0].files.map((f) => f.path));
    for (const src of relative) assert.ok(shipped.has(src.replace(/^\.\//, '')), `${manifest.name}: README image ${src} is not in the package`);
  });
}
