// Streams the largest radiographs of the real dataset through createBatchLoader and reports peak memory,
// to show that memory stays bounded by the queue, not by the dataset.
// Usage: npm run build && node scripts/loader-memory.mjs [dataset-dir] [--large N] [--small M]
import '@tensorflow/tfjs-backend-cpu';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { createBatchLoader, scanImageFolder } from '../dist/node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name, fallback) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const root = path.resolve(positional[0] ?? process.env.FRACTURE_DATA ?? path.join(here, '../../../../shared/data/fracture-xray'));
if (!existsSync(root)) {
  console.log(`loader-memory: ${root} not found; pass the dataset directory. Skipping.`);
  process.exit(0);
}
await tf.setBackend('cpu');
const scan = await scanImageFolder(root, { verify: 'none' });
const bySize = scan.items.map((item) => ({ item, bytes: statSync(item.path).size })).sort((a, b) => b.bytes - a.bytes);
const large = bySize.slice(0, flag('large', 24)).map((e) => e.item);
const small = scan.items.filter((i) => !/^\d+\.jpe?g$/i.test(path.basename(i.path))).slice(0, flag('small', 256));
const items = [...large, ...small];

const mb = (n) => `${(n / 2 ** 20).toFixed(0)} MB`;
const before = process.memoryUsage();
let peakRss = before.rss;
let peakExternal = before.external + before.arrayBuffers;
const timer = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakExternal = Math.max(peakExternal, m.external + m.arrayBuffers);
}, 20);
const start = performance.now();
const loader = createBatchLoader(items, { imageSize: 224, channels: 3, batchSize: 32, shuffle: true, seed: 0 });
let images = 0;
for await (const batch of loader.batches(0)) {
  images += batch.items.length;
  tf.dispose([batch.xs, batch.ys]);
}
clearInterval(timer);
const seconds = (performance.now() - start) / 1000;
console.log(`${images} images (${large.length} largest originals, up to ${bySize[0].bytes} bytes, + ${small.length} 224-px copies) in ${seconds.toFixed(1)} s`);
console.log(`RSS before ${mb(before.rss)}, peak ${mb(peakRss)}; tensors left ${tf.memory().numTensors}; failures ${loader.failures.length}`);
