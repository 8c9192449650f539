import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCheckpoint, readCheckpointState } from '../src/checkpoint-io';
import { useCpu } from './setup-backend';
import { sigkillRun } from './sigkill-run';
import { weightValues } from './tiny-model';

jest.setTimeout(240_000);
beforeAll(useCpu);

/** Starts fixtures/sigkill-child.ts training into `dir` and resolves once it has reached epoch 2 (its marker file). */
async function startChildUntilEpoch2(dir: string, extraArgs: string[] = []) {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'scripts', 'run-ts.cjs'), path.join(__dirname, 'fixtures', 'sigkill-child.ts'), dir, ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const marker = path.join(dir, 'mid-epoch');
  const deadline = Date.now() + 90_000;
  while (!fs.existsSync(marker)) {
    if (child.exitCode !== null) throw new Error(`child exited early (${child.exitCode}): ${stderr}`);
    if (Date.now() > deadline) throw new Error(`child never reached epoch 2: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, exited };
}

test('a run killed with SIGKILL during an epoch resumes from the last checkpoint to the uninterrupted result', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fracture-sigkill-'));
  try {
    const { child, exited } = await startChildUntilEpoch2(dir);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // Epoch 1 completed and was checkpointed; epoch 2 was cut off half-way.
    const checkpoint = await readCheckpoint(path.join(dir, 'ckpt'));
    expect(checkpoint.state.epoch).toBe(0);
    expect(checkpoint.state.history).toHaveLength(1);

    const resumed = await sigkillRun(dir, { resumeFrom: path.join(dir, 'ckpt') });
    const uninterrupted = await sigkillRun(path.join(dir, 'reference'));
    expect(resumed.result.steps).toBe(uninterrupted.result.steps);
    expect(weightValues(resumed.model)).toEqual(weightValues(uninterrupted.model));
    expect(resumed.result.history.map((h) => h.loss)).toEqual(uninterrupted.result.history.map((h) => h.loss));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('killed with SIGKILL during an epoch with mid-epoch checkpoints, the run continues that epoch to the uninterrupted result', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fracture-sigkill-mid-'));
  try {
    const { child, exited } = await startChildUntilEpoch2(dir, ['1']);
    // Somewhere in the following batches: between steps, or during a mid-epoch save.
    await new Promise((resolve) => setTimeout(resolve, 450));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // Epoch 1 is in `last`; the resume continues epoch 2 from a mid-epoch checkpoint, not from its start.
    const { state } = await readCheckpointState(path.join(dir, 'ckpt'));
    expect(state.epoch).toBe(0);
    expect(state.inEpoch?.epoch).toBe(1);
    expect(state.inEpoch!.batches).toBeGreaterThanOrEqual(1);

    const resumed = await sigkillRun(dir, { resumeFrom: path.join(dir, 'ckpt'), everySteps: 1 });
    const uninterrupted = await sigkillRun(path.join(dir, 'reference'));
    expect(resumed.result.steps).toBe(uninterrupted.result.steps);
    expect(weightValues(resumed.model)).toEqual(weightValues(uninterrupted.model));
    expect(resumed.result.history.map((h) => h.loss)).toEqual(uninterrupted.result.history.map((h) => h.loss));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
