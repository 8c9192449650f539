import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePng, generateSyntheticRadiographs } from '@fracture/preprocess';
import { RECIPE, recipeSplit } from './recipe.mjs';

/** 60 synthetic radiographs in the FracAtlas release layout, with boxes and a dataset.csv. */
async function writeAtlas(dir) {
  const rows = ['image_id,hand,leg,hip,shoulder,mixed,hardware,multiscan,fractured,fracture_count,frontal,lateral,oblique'];
  for (const [i, r] of generateSyntheticRadiographs({ count: 60, size: 32, seed: 5 }).entries()) {
    const id = `IMG${String(i * 7).padStart(7, '0')}`;
    const folder = r.className === 'fractured' ? 'Fractured' : 'Non_fractured';
    await mkdir(join(dir, 'images', folder), { recursive: true });
    await mkdir(join(dir, 'Annotations', 'YOLO'), { recursive: true });
    await writeFile(join(dir, 'images', folder, `${id}.png`), encodePng(r.image));
    const b = r.fractureBox;
    await writeFile(join(dir, 'Annotations', 'YOLO', `${id}.txt`), b ? `0 ${(b.x + b.width / 2) / 32} ${(b.y + b.height / 2) / 32} ${b.width / 32} ${b.height / 32}\n` : '');
    rows.push(`${id}.png,1,0,0,0,0,0,0,${r.className === 'fractured' ? 1 : 0},${b ? 1 : 0},1,0,0`);
  }
  await writeFile(join(dir, 'dataset.csv'), rows.join('\n') + '\n');
}

test('the recipe splits FracAtlas by blocks, writes the manifest once and re-reads it with the metadata', async () => {
  const work = await mkdtemp(join(tmpdir(), 'recipe-'));
  try {
    const data = join(work, 'atlas');
    await writeAtlas(data);
    const out = join(work, 'out');
    const { scan, split } = await recipeSplit(data, out);
    assert.equal(scan.layout, 'fracatlas');
    const parts = ['train', 'val', 'test'];
    assert.equal(parts.reduce((n, p) => n + split[p].length, 0), 60);
    // No block of consecutive ids crosses parts.
    const partOf = new Map();
    for (const p of parts) for (const item of split[p]) assert.equal(partOf.get(item.sourceId) ?? p, p), partOf.set(item.sourceId, p);
    const manifest = await readFile(join(out, 'split.csv'), 'utf8');
    // A second call (a resumed run) keeps the parts and still carries each item's metadata and boxes.
    const again = await recipeSplit(data, out);
    for (const p of parts) assert.deepEqual(again.split[p].map((i) => i.path), split[p].map((i) => i.path));
    assert.equal(await readFile(join(out, 'split.csv'), 'utf8'), manifest);
    assert.ok(again.split.train.every((item) => item.metadata?.imageId && Array.isArray(item.boxes)));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('the recipe states every choice it makes', () => {
  assert.equal(RECIPE.architecture, 'mobilenetv2');
  assert.equal(RECIPE.split.protocol, 'blocks');
  assert.ok(Math.abs(RECIPE.split.fractions.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.ok(RECIPE.targetSensitivity > 0 && RECIPE.targetSensitivity < 1);
});
