// Checks scanning and splitting on the real Kaggle dataset (not needed by the tests).
// Usage: npm run build && node scripts/check-real-dataset.mjs [dataset-dir]
// Default dataset dir: $FRACTURE_DATA or ../../../shared/data/fracture-xray relative to this package.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  findSharedSources,
  readSplitManifest,
  scanImageFolder,
  splitDataset,
  writeSplitManifest,
} from '../dist/node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? process.env.FRACTURE_DATA ?? path.join(here, '../../../../shared/data/fracture-xray'));
if (!existsSync(root)) {
  console.log(`check-real-dataset: ${root} not found; pass the dataset directory as an argument. Skipping.`);
  process.exit(0);
}

let failed = 0;
const check = (label, actual, expected) => {
  const ok = JSON.stringify(actual) === JSON.stringify(expected);
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}: ${JSON.stringify(actual)}${ok ? '' : ` (expected ${JSON.stringify(expected)})`}`);
};

const t0 = performance.now();
const scan = await scanImageFolder(root);
console.log(`scanImageFolder(${root}): ${scan.items.length} images, layout ${scan.layout}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const count = (split, className) => scan.items.filter((i) => i.split === split && i.className === className).length;
check('classNames', scan.classNames, ['fractured', 'not fractured']);
check('train/fractured, train/not fractured, val/fractured, val/not fractured', [
  count('train', 'fractured'),
  count('train', 'not fractured'),
  count('val', 'fractured'),
  count('val', 'not fractured'),
], [4480, 4383, 360, 240]);
check('skipped (non-image files)', scan.skipped.map((s) => `${path.relative(root, s.path)}: ${s.reason}`), [
  'README.md: outside a class folder',
  'manifest.csv: outside a class folder',
]);
check('unreadable images', scan.unreadable.length, 0);

// The dataset's own manifest names each file's source: ours must agree.
const manifestPath = path.join(root, 'manifest.csv');
if (existsSync(manifestPath)) {
  const lines = readFileSync(manifestPath, 'utf8').trim().split('\n').slice(1);
  const sourceByPath = new Map(lines.map((line) => {
    const [p, , , sourceId] = line.split(',');
    return [p, sourceId];
  }));
  const disagreements = scan.items.filter((i) => sourceByPath.get(path.relative(root, i.path)) !== i.sourceId).length;
  check('source ids disagreeing with manifest.csv', disagreements, 0);
}
const sources = new Set(scan.items.map((i) => `${i.className}/${i.sourceId}`));
console.log(`source radiographs (className, sourceId): ${sources.size}`);

const canonical = (split) =>
  JSON.stringify(['train', 'val', 'test'].map((part) => split[part].map((i) => [i.path, i.label, i.className, i.split, i.sourceId])));
const sizes = (split) => [split.train.length, split.val.length, split.test.length];
const perClass = (part) => ['fractured', 'not fractured'].map((c) => part.filter((i) => i.className === c).length);

const paper = splitDataset(scan.items, { protocol: 'paper', seed: 0 });
check("paper split sizes (train/val/test)", sizes(paper), [7381, 662, 1420]);
console.log(`     paper split: sources shared between parts: ${findSharedSources(paper).length} (the study's leak)`);

const grouped = splitDataset(scan.items, { protocol: 'grouped', seed: 0 });
console.log(`     grouped split sizes: ${sizes(grouped).join(' / ')} (${sizes(grouped).map((n) => ((100 * n) / scan.items.length).toFixed(1) + ' %').join(' / ')})`);
console.log(`     grouped per class (fractured, not fractured): train ${perClass(grouped.train)}, val ${perClass(grouped.val)}, test ${perClass(grouped.test)}`);
check('grouped split: sources shared between parts', findSharedSources(grouped).length, 0);

const given = splitDataset(scan.items, { protocol: 'given', seed: 0 });
console.log(`     given split sizes: ${sizes(given).join(' / ')}`);
console.log(`     given split: shared sources ${JSON.stringify(findSharedSources(given))}`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fracture-manifest-'));
try {
  for (const [name, split] of [['paper', paper], ['grouped', grouped], ['given', given]]) {
    const file = path.join(tmp, `${name}.csv`);
    await writeSplitManifest(file, split, { root });
    const back = await readSplitManifest(file, { root });
    check(`${name} manifest round trip`, canonical(back) === canonical(split), true);
    check(`${name} split is reproducible from its seed`, JSON.stringify(splitDataset(scan.items, { protocol: name, seed: 0 })) === JSON.stringify(split), true);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

console.log(failed === 0 ? 'all checks passed' : `${failed} check(s) failed`);
process.exit(failed === 0 ? 0 : 1);
