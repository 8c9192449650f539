import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { FIXTURES } from './fixtures.mjs';

const require = createRequire(import.meta.url);
const { extractBlocks, modeOf, runBlock, trackedReadmes, REPO_ROOT } = require('../../tools/readme-blocks/readme-blocks.cjs');

const readmes = trackedReadmes();

test('every README block is runnable or says why not', async () => {
  const notRun = [];
  for (const file of readmes) {
    for (const block of extractBlocks(await readFile(join(REPO_ROOT, file), 'utf8'))) {
      const mode = modeOf(block); // throws for an unmarked block that cannot run
      if (mode === 'skip') notRun.push(`${file}:${block.line}: ${block.reason}`);
    }
  }
  // Kept visible: each one is a promise the docs make that no test checks.
  console.log(`README blocks not run (${notRun.length}):\n  ${notRun.join('\n  ')}`);
});

for (const file of readmes) {
  const fixture = FIXTURES[file] ?? {};
  describe(file, () => {
    let cwd;
    before(async () => {
      cwd = await mkdtemp(join(tmpdir(), 'fracture-readme-'));
      await fixture.setup?.(cwd);
    });
    after(async () => {
      if (cwd) await rm(cwd, { recursive: true, force: true });
    });

    // Blocks of one README run in order in one folder, as a reader pasting them one after the other would.
    const markdown = require('node:fs').readFileSync(join(REPO_ROOT, file), 'utf8');
    for (const block of extractBlocks(markdown)) {
      const mode = modeOf(block);
      if (mode === 'transcript' || mode === 'skip' || mode === 'install') continue;
      const skip = fixture.skip?.(block.line) ?? false;
      test(`line ${block.line} (${mode})`, { skip, timeout: 300_000 }, () => {
        const result = runBlock(block, { cwd, name: file.replace(/\//g, '_'), timeoutMs: 280_000 });
        assert.ok(result.mode === mode);
      });
    }
  });
}
