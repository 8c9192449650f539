import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { startLocalRegistry } from './local-registry.mjs';
import { SMOKE, smokeProgram } from './smoke.mjs';

const run = promisify(execFile);
const { extractBlocks, modeOf } = createRequire(import.meta.url)('../../tools/readme-blocks/readme-blocks.cjs');
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packagesDir = join(repoRoot, 'packages');

async function publishablePackages() {
  const found = [];
  for (const entry of await readdir(packagesDir)) {
    const manifest = JSON.parse(await readFile(join(packagesDir, entry, 'package.json'), 'utf8'));
    if (!manifest.private) found.push({ dir: join(packagesDir, entry), manifest });
  }
  return found;
}

// Each npm call gets its own environment: no inherited npm_config_* from `npm test`, which would point npm at the
// workspace instead of the temp app.
function npmEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  return { ...env, ...extra };
}

async function npm(args, cwd, extraEnv) {
  try {
    return await run('npm', args, { cwd, env: npmEnv(extraEnv), maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${error.stdout}\n${error.stderr}`);
  }
}

let work;
let registry;
let packages;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'fracture-registry-'));
  packages = await publishablePackages();
  registry = await startLocalRegistry(join(work, 'registry'));
  const host = registry.url.replace(/^http:/, '');
  const userconfig = join(work, 'publish.npmrc');
  await writeFile(userconfig, `registry=${registry.url}/\n${host}/:_authToken=${registry.token}\n`);
  const tarballs = join(work, 'tarballs');
  await mkdir(tarballs);
  for (const { dir } of packages) {
    const { stdout } = await npm(['pack', dir, '--pack-destination', tarballs, '--json'], work);
    const [packed] = JSON.parse(stdout);
    await npm(['publish', join(tarballs, packed.filename), '--userconfig', userconfig, '--registry', `${registry.url}/`], work);
  }
});

after(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

test('every publishable package has a smoke check', async () => {
  assert.deepEqual(packages.map((p) => p.manifest.name).sort(), Object.keys(SMOKE).sort());
});

test('the registry serves every package at its workspace version', async () => {
  for (const { manifest } of packages) {
    const response = await fetch(`${registry.url}/${manifest.name.replace('/', '%2f')}`);
    assert.equal(response.status, 200, manifest.name);
    const packument = await response.json();
    assert.equal(packument['dist-tags'].latest, manifest.version, manifest.name);
  }
});

for (const name of Object.keys(SMOKE)) {
  test(`${name} installs alone into a fresh app, runs from ESM and CommonJS, and its README install command works`, async () => {
    const app = join(work, 'apps', name.replace('@fracture/', ''));
    await mkdir(app, { recursive: true });
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', version: '1.0.0', private: true }));
    // Only the @fracture scope comes from the local registry; everything else from the usual one (or npm's cache).
    await writeFile(join(app, '.npmrc'), `@fracture:registry=${registry.url}/\n`);
    await npm(['install', name, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app);
    const installed = JSON.parse(await readFile(join(app, 'node_modules', ...name.split('/'), 'package.json'), 'utf8'));
    const workspace = packages.find((p) => p.manifest.name === name).manifest;
    assert.equal(installed.version, workspace.version);
    await writeFile(join(app, 'smoke.mjs'), smokeProgram(name, 'esm'));
    await writeFile(join(app, 'smoke.cjs'), smokeProgram(name, 'cjs'));
    for (const file of ['smoke.mjs', 'smoke.cjs']) {
      const { stdout } = await run(process.execPath, [file], { cwd: app });
      assert.equal(stdout.trim().split('\n').at(-1), 'ok', `${name} ${file}`);
    }
    // The package README's install command, as written (npm settings through the environment, not the command).
    const readme = await readFile(join(packages.find((p) => p.manifest.name === name).dir, 'README.md'), 'utf8');
    const installs = extractBlocks(readme).filter((block) => modeOf(block) === 'install');
    assert.equal(installs.length, 1, `${name}: its README has one <!-- readme: install --> block`);
    assert.match(installs[0].code, new RegExp(`^npm install ${name}( |$)`, 'm'));
    try {
      await run('/bin/sh', ['-e', '-c', installs[0].code], {
        cwd: app,
        env: npmEnv({ npm_config_audit: 'false', npm_config_fund: 'false', npm_config_prefer_offline: 'true', npm_config_loglevel: 'error' }),
      });
    } catch (error) {
      throw new Error(`${name}: the README's install block failed:\n${error.stdout}\n${error.stderr}`);
    }
    if (name === '@fracture/cli') {
      const { stdout } = await run('npx', ['--no-install', 'fracture', '--version'], { cwd: app, env: npmEnv() });
      assert.equal(stdout.trim(), workspace.version);
    }
  });
}
