// Benchmark: each study model trained for a few Adam steps on real X-rays, tfjs (this package) beside
// PyTorch (2 threads) on the same images, batch and steps. Reports images/s and peak RSS.
// Usage: npm run bench -- [--data DIR] [--steps N] [--batch B] [--micro M] [--models cnn,resnet18] [--backend auto|wasm|cpu]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Row {
  framework: string;
  model: string;
  size: number;
  batch: number;
  steps: number;
  imagesPerSecond: number;
  peakRssMB: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const packageDir = path.resolve(__dirname, '..');
const data = path.resolve(arg('data', path.resolve(packageDir, '../../../shared/data/fracture-xray')));
const steps = arg('steps', '3');
const batch = arg('batch', '4');
const backend = arg('backend', 'auto');
// Micro-batches for tfjs (gradient accumulation), for models whose batch does not fit the wasm heap.
const micro = arg('micro', '0');
const modelNames = arg('models', 'cnn,mobilenetv2,resnet18,efficientnet-b3').split(',');

function lastJson(stdout: string): Row | null {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as Row) : null;
}

function main(): void {
  if (!fs.existsSync(path.join(data, 'train'))) {
    console.log(`bench: no dataset at ${data} (expected train/<class>/*.jpg); pass --data DIR. Skipped.`);
    return;
  }
  const rows: Row[] = [];
  const python = '/usr/bin/python3';
  const hasTorch = fs.existsSync(python) && spawnSync(python, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status === 0;
  if (!hasTorch) console.log(`bench: ${python} with torch not found; PyTorch rows skipped`);
  for (const model of modelNames) {
    const js = spawnSync(
      process.execPath,
      ['--max-old-space-size=8192', path.join(packageDir, 'scripts', 'run-ts.cjs'), path.join(__dirname, 'train-one.ts'), model, path.join(data, 'train'), steps, batch, backend, micro],
      { encoding: 'utf8', timeout: 30 * 60_000 },
    );
    const jsRow = lastJson(js.stdout);
    if (jsRow) rows.push(jsRow);
    else console.log(`bench: tfjs ${model} failed: ${js.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    if (hasTorch) {
      const py = spawnSync(python, [path.join(__dirname, 'torch_bench.py'), '--data', path.join(data, 'train'), '--steps', steps, '--batch', batch, '--models', model], {
        encoding: 'utf8',
        timeout: 30 * 60_000,
      });
      const pyRow = lastJson(py.stdout);
      if (pyRow) rows.push(pyRow);
      else console.log(`bench: pytorch ${model} failed: ${py.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
  }
  console.log(`\n${steps} Adam steps, batch ${batch}${micro !== '0' ? ` (tfjs in micro-batches of ${micro})` : ''}, real X-rays from ${data} (first step excluded from timing when steps > 1)`);
  console.log('| model | size | framework | images/s | peak RSS (MB) |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.size} | ${r.framework} | ${r.imagesPerSecond.toFixed(2)} | ${r.peakRssMB.toFixed(0)} |`);
  }
}

main();
