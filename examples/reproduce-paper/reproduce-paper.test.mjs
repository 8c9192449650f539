import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticDataset } from '@fracture/preprocess';
import { reproducePaper } from './reproduce-paper.mjs';

test('reproduces on a synthetic stand-in with a tiny budget and writes both reports', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'reproduce-paper-'));
  try {
    await writeSyntheticDataset(join(dir, 'data'), { count: 120, size: 32, seed: 2, variantsPerSource: 4 });
    const result = await reproducePaper({
      dataDir: join(dir, 'data'),
      out: join(dir, 'report'),
      models: ['cnn'],
      epochs: 1,
      maxTrainImages: 48,
      nBoot: 50,
      backend: 'wasm',
      progress: null,
      log: () => {},
    });
    assert.equal(result.results.length, 2);
    const markdown = await readFile(result.reportMarkdown, 'utf8');
    assert.match(markdown, /Table 1, extended/);
    assert.match(markdown, /\*\*reduced\*\*/);
    assert.match(await readFile(result.reportHtml, 'utf8'), /<html/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
