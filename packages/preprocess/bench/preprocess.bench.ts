/**
 * Images per second for decode + resize to 224 + the study's augmentation, on the real dataset: the 224-px
 * copies and the large original radiographs separately, against PIL + torchvision on the same files in the
 * same run. Usage (from the package): npm run bench -- [dataset-dir] [--small N] [--large M] [--backend cpu|wasm]
 */
import '@tensorflow/tfjs-backend-cpu';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { compose, createBatchLoader, createRng, decodeImageAsync, jpegDecoder, scanImageFolder, transforms } from '../src/node';
import { augmentInto } from '../src/batch-loader';
import { toModelInput } from '../src/to-model-input';
import type { DatasetItem } from '../src/node';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
// The bundle runs from bench/dist, so the package is two levels up.
const packageDir = path.basename(here) === 'dist' ? path.resolve(here, '../..') : path.resolve(here, '..');
const root = path.resolve(positional[0] ?? process.env.FRACTURE_DATA ?? path.join(packageDir, '../../../shared/data/fracture-xray'));
const smallCount = Number(flag('small', '200'));
const largeCount = Number(flag('large', '8'));
const backend = flag('backend', 'cpu');
const PYTHON = '/usr/bin/python3';

/** The study's augmentation; `interpolation` of the rotation: ours defaults to bilinear, torchvision's to nearest. */
const studyAugmentation = (interpolation: 'bilinear' | 'nearest') =>
  compose([
    transforms.randomResizedCrop(224, { scale: [0.8, 1] }),
    transforms.randomHorizontalFlip(),
    transforms.randomRotation(10, { interpolation }),
    transforms.colorJitter({ brightness: 0.3, contrast: 0.3, saturation: 0.3 }),
  ]);
const augment = studyAugmentation('bilinear');
// What the PIL side runs: torchvision's RandomRotation samples nearest-neighbour unless told otherwise.
const augmentLikePil = studyAugmentation('nearest');

function pickEvenly<T>(values: T[], count: number): T[] {
  if (values.length <= count) return values;
  return Array.from({ length: count }, (_, i) => values[Math.floor((i * values.length) / count)]);
}

interface Timing {
  seconds: number;
  stages: { decode: number; resize: number; augment: number };
}

/**
 * The loader's per-image path: decode, `toModelInput` (resize to 224, 8-bit, gray kept as one channel until
 * replicated), then `augmentInto` (scaling to [0, 1], the augmentation's pixel kernels — on one channel for
 * gray images — and the float RGB result PIL's ToTensor also produces). `tensorAugment` adds the same
 * augmentation through the public tensor API.
 */
async function timeJs(paths: string[], pipeline = augment): Promise<Timing & { tensorAugment: number }> {
  const rng = createRng(0);
  const tensorRng = createRng(0);
  const stages = { decode: 0, resize: 0, augment: 0 };
  let tensorAugment = 0;
  const shape = { height: 224, width: 224, channels: 3 as const };
  const out = new Float32Array(224 * 224 * 3);
  let seconds = 0;
  for (const file of paths) {
    const t0 = performance.now();
    // As createBatchLoader does: libjpeg-turbo (WebAssembly, or sharp's shrink-on-load for large files).
    const image = await decodeImageAsync(new Uint8Array(readFileSync(file)), { path: file, reduceTo: 224 });
    const t1 = performance.now();
    const pixels = toModelInput(image, { ...shape, antialias: true });
    const t2 = performance.now();
    augmentInto(out, pixels, shape, pipeline, rng);
    const t3 = performance.now();
    stages.decode += (t1 - t0) / 1000;
    stages.resize += (t2 - t1) / 1000;
    stages.augment += (t3 - t2) / 1000;
    seconds += (t3 - t0) / 1000;
    const x = tf.tensor3d(Float32Array.from(pixels, (v) => v / 255), [224, 224, 3]);
    const t4 = performance.now();
    const result = pipeline(x, tensorRng);
    await result.data();
    tensorAugment += (performance.now() - t4) / 1000;
    tf.dispose([x, result]);
  }
  return { seconds, stages, tensorAugment };
}

/** One epoch through the loader with a fresh on-disk cache (cold), then a second epoch reading it (warm). */
async function timeLoader(items: DatasetItem[], withAugmentation = true): Promise<{ cold: number; warm: number }> {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'fracture-bench-cache-'));
  try {
    const transform = withAugmentation ? augment : undefined;
    const loader = createBatchLoader(items, { imageSize: 224, channels: 3, batchSize: 32, transform, seed: 0, cacheDir });
    const epoch = async (n: number) => {
      const start = performance.now();
      for await (const batch of loader.batches(n)) tf.dispose([batch.xs, batch.ys]);
      return (performance.now() - start) / 1000;
    };
    return { cold: await epoch(0), warm: await epoch(1) };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function timePython(groups: Record<string, string[]>): Record<string, { images: number } & Timing> | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fracture-bench-'));
  try {
    const list = path.join(dir, 'files.tsv');
    writeFileSync(list, Object.entries(groups).flatMap(([g, files]) => files.map((f) => `${g}\t${f}`)).join('\n') + '\n');
    return JSON.parse(execFileSync(PYTHON, [path.join(packageDir, 'bench', 'pil_bench.py'), list], { encoding: 'utf8' }));
  } catch (error) {
    return `PIL benchmark failed: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!existsSync(root)) {
    console.log(`preprocess bench: dataset not found at ${root}; pass its path as an argument or set FRACTURE_DATA. Skipping.`);
    return;
  }
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(backend);
  await tf.ready();
  const decoder = await jpegDecoder();
  if (decoder.startsWith('sharp')) {
    // One libvips worker thread, so that the comparison with single-threaded PIL stays like for like.
    const sharp = (await import('sharp')).default;
    sharp.concurrency(1);
  }

  const scan = await scanImageFolder(root, { verify: 'none' });
  const isOriginal = (item: DatasetItem) => /^\d+\.jpe?g$/i.test(path.basename(item.path));
  const small = pickEvenly(scan.items.filter((i) => !isOriginal(i)), smallCount);
  const large = pickEvenly(scan.items.filter(isOriginal), largeCount);
  const groups = { '224-px copies': small.map((i) => i.path), 'large originals': large.map((i) => i.path) };

  // Warm up kernels and the JIT on a few files outside the timed runs.
  await timeJs(groups['224-px copies'].slice(0, 5));

  const rows: { name: string; images: number; js: Timing & { tensorAugment: number }; loader?: { cold: number; warm: number } }[] = [];
  rows.push({ name: '224-px copies', images: small.length, js: await timeJs(groups['224-px copies']), loader: await timeLoader(small) });
  rows.push({ name: 'large originals', images: large.length, js: await timeJs(groups['large originals']) });
  const likePil = {
    small: await timeJs(groups['224-px copies'], augmentLikePil),
    large: await timeJs(groups['large originals'], augmentLikePil),
  };
  const python = timePython(groups);

  const rate = (n: number, s: number) => (n / s).toFixed(1);
  const ms = (s: number, n: number) => ((1000 * s) / n).toFixed(1);
  console.log(`\npreprocess bench: decode + resize to 224 + augmentation (RandomResizedCrop 0.8-1, flip, rotation ±10°, ColorJitter 0.3)`);
  console.log(`dataset ${root}, JPEG decoder ${decoder}, tfjs backend ${tf.getBackend()}, node ${process.version}, single thread, load average ${os.loadavg()[0].toFixed(1)} (${os.cpus().length} cores)\n`);
  console.log('| files | images | @fracture/preprocess (img/s) | createBatchLoader, cold / warm cache (img/s) | PIL + torchvision (img/s) | ratio JS / PIL |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const py = typeof python === 'string' ? undefined : python[row.name];
    const pyRate = py ? py.images / py.seconds : undefined;
    console.log(
      `| ${row.name} | ${row.images} | ${rate(row.images, row.js.seconds)} | ${row.loader ? `${rate(row.images, row.loader.cold)} / ${rate(row.images, row.loader.warm)}` : '-'} | ${
        pyRate ? pyRate.toFixed(1) : '-'
      } | ${pyRate ? (row.images / row.js.seconds / pyRate).toFixed(2) : '-'} |`,
    );
  }
  console.log('\nms per image by stage (JS / PIL); the last column is the same augmentation through the tensor API (cpu backend):\n');
  console.log('| files | decode | resize to 224 | augment | augment, tensor API |');
  console.log('|---|---:|---:|---:|---:|');
  for (const row of rows) {
    const py = typeof python === 'string' ? undefined : python[row.name];
    const cell = (stage: keyof Timing['stages']) =>
      `${ms(row.js.stages[stage], row.images)} / ${py ? ms(py.stages[stage], py.images) : '-'}`;
    console.log(`| ${row.name} | ${cell('decode')} | ${cell('resize')} | ${cell('augment')} | ${ms(row.js.tensorAugment, row.images)} |`);
  }
  const plain = await timeLoader(small, false);
  console.log(
    `\ncreateBatchLoader without augmentation (decode + resize, then cache reads), ${small.length} 224-px copies: ` +
      `cold ${rate(small.length, plain.cold)} img/s, warm cache ${rate(small.length, plain.warm)} img/s`,
  );
  console.log('\nThe same with nearest-neighbour rotation, torchvision\'s default and so exactly the work the PIL side does:\n');
  console.log('| files | @fracture/preprocess (img/s) | augment (ms per image) | ratio JS / PIL |');
  console.log('|---|---:|---:|---:|');
  for (const [row, timing] of [[rows[0], likePil.small], [rows[1], likePil.large]] as const) {
    const py = typeof python === 'string' ? undefined : python[row.name];
    const pyRate = py ? py.images / py.seconds : undefined;
    const jsRate = row.images / timing.seconds;
    console.log(`| ${row.name} | ${jsRate.toFixed(1)} | ${ms(timing.stages.augment, row.images)} | ${pyRate ? (jsRate / pyRate).toFixed(2) : '-'} |`);
  }
  if (typeof python === 'string') console.log(`\nPIL comparison skipped: ${python}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
