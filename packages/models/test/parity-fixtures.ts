// Generates (once per version of the script and of tools/torch-reference/fracture_torch.py) and
// locates the PyTorch reference fixtures of scripts/make-parity-fixtures.py. Tests call
// `parityFixtures()` in beforeAll and skip when it returns null: Debian's python3-torch /
// python3-torchvision are not installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

// FRACTURE_PYTHON lets CI point at another interpreter (and lets the skip path be exercised).
export const PYTHON = process.env['FRACTURE_PYTHON'] ?? '/usr/bin/python3';
const SCRIPT = path.join(__dirname, '..', 'scripts', 'make-parity-fixtures.py');
// The models and writers the script imports: part of the cache key, so editing them regenerates the fixtures.
const SHARED = path.join(__dirname, '..', '..', '..', 'tools', 'torch-reference', 'fracture_torch.py');

export interface ParityCaseMeta {
  inputShape: number[];
  logitsShape: number[];
  featuresShape?: number[];
  parameters?: number;
  timm?: boolean;
}

export interface ParityFixtures {
  dir: string;
  meta: Record<string, ParityCaseMeta>;
  file(name: string): string;
  floats(name: string): Float32Array;
}

let cachedTorchCheck: boolean | undefined;

/** Whether `/usr/bin/python3` can import torch and torchvision. */
export function torchAvailable(): boolean {
  if (cachedTorchCheck === undefined) {
    const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore', timeout: 60_000 });
    cachedTorchCheck = probe.status === 0;
  }
  return cachedTorchCheck;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function open(dir: string): ParityFixtures {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Record<string, ParityCaseMeta>;
  return {
    dir,
    meta,
    file: (name) => path.join(dir, name),
    floats: (name) => {
      const bytes = fs.readFileSync(path.join(dir, name));
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    },
  };
}

/**
 * The fixture directory `<tmpdir>/fracture-parity-<hash of script + shared module>`, generating it
 * when absent. Jest workers race for a lock file so the script runs once; the others wait for its
 * `meta.json`.
 */
export async function parityFixtures(): Promise<ParityFixtures | null> {
  if (!torchAvailable()) return null;
  const hash = createHash('sha256').update(fs.readFileSync(SCRIPT)).update(fs.readFileSync(SHARED)).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `fracture-parity-${hash}`);
  const done = path.join(dir, 'meta.json');
  if (fs.existsSync(done)) return open(dir);
  const lock = `${dir}.lock`;
  let lockFd: number | null = null;
  try {
    lockFd = fs.openSync(lock, 'wx');
  } catch {
    // Another worker generates; a lock older than 10 minutes is a crashed run.
    const deadline = Date.now() + 600_000;
    while (!fs.existsSync(done) && Date.now() < deadline) {
      await sleep(500);
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 600_000) fs.rmSync(lock, { force: true });
      } catch {
        /* lock already released */
      }
      if (!fs.existsSync(lock) && !fs.existsSync(done)) return parityFixtures();
    }
    if (!fs.existsSync(done)) throw new Error(`parity fixtures: timed out waiting for ${dir}`);
    return open(dir);
  }
  try {
    const staging = `${dir}.staging-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    const run = spawnSync(PYTHON, [SCRIPT, staging], { encoding: 'utf8', timeout: 600_000 });
    if (run.status !== 0) throw new Error(`parity fixtures: ${SCRIPT} failed:\n${run.stderr}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
  } finally {
    fs.closeSync(lockFd);
    fs.rmSync(lock, { force: true });
  }
  return open(dir);
}

/** Largest absolute difference of two equally long arrays (throws on a length mismatch). */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export interface ModelOutputs {
  logits: Float32Array;
  features: Float32Array;
}

/** Logits and the output of `featureLayer` for one input; disposes everything it creates. */
export function runWithFeatures(model: tfl.LayersModel, featureLayer: string, input: Float32Array, shape: number[]): ModelOutputs {
  const probe = tfl.model({ inputs: model.inputs, outputs: [model.getLayer(featureLayer).output as tfl.SymbolicTensor, model.outputs[0]!] });
  const x = tf.tensor(input, shape);
  const [features, logits] = probe.predict(x) as tf.Tensor[];
  const out = { logits: Float32Array.from(logits!.dataSync()), features: Float32Array.from(features!.dataSync()) };
  tf.dispose([x, features!, logits!]);
  return out;
}
