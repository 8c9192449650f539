import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, 'fixtures', 'torch_reference.py');

let available: boolean | undefined;

/** True when Debian's python with torch is present; tests that need it skip otherwise. */
export function torchAvailable(): boolean {
  if (available === undefined) {
    available = fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
    if (!available) console.warn(`@fracture/train: ${PYTHON} with torch not found; PyTorch reference tests are skipped`);
  }
  return available;
}

/** Runs the PyTorch reference script on a JSON request. */
export function torchReference<T>(request: Record<string, unknown>): T {
  const result = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(request), encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`torch_reference.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}
