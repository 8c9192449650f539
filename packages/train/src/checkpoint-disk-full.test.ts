import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useCpu } from '../test/setup-backend';
import { tinyConvNet } from '../test/tiny-model';
import { Adam } from './adam';
import { readCheckpoint, removeStaleCheckpointFiles, writeCheckpoint } from './checkpoint-io';
import type { CheckpointState } from './types';

beforeAll(useCpu);

function state(epoch: number): Omit<CheckpointState, 'files' | 'format' | 'version' | 'savedAt'> {
  return { epoch, step: epoch + 1, lr: 0.01, baseLr: 0.01, rng: { words: [1, 2, 3, 4] }, history: [], callbacks: {}, configHash: 'abc' };
}

/**
 * A real full disk where the test runs as root and may mount a small tmpfs (as in CI containers); otherwise
 * every file write fails with ENOSPC, which is what the kernel would report.
 */
function fullDisk(dir: string): { fill(): void; free(): void; close(): void; real: boolean } {
  const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]).status === 0;
  const filler = path.join(dir, 'filler');
  if (mounted) {
    return {
      real: true,
      fill() {
        const block = Buffer.alloc(4096, 1);
        const fd = fs.openSync(filler, 'a');
        try {
          for (;;) fs.writeSync(fd, block);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        } finally {
          fs.closeSync(fd);
        }
      },
      free: () => fs.rmSync(filler, { force: true }),
      close: () => void spawnSync('umount', [dir]),
    };
  }
  let spy: jest.SpyInstance | undefined;
  return {
    real: false,
    fill() {
      const open = fs.promises.open.bind(fs.promises);
      spy = jest.spyOn(fs.promises, 'open').mockImplementation(async (file, flags, mode) => {
        const handle = await open(file, flags, mode);
        if (flags !== 'w') return handle;
        return Object.assign(Object.create(handle), {
          writeFile: async () => {
            throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC', errno: -28, syscall: 'write', path: String(file) });
          },
          close: () => handle.close(),
        });
      });
    },
    free: () => spy?.mockRestore(),
    close: () => spy?.mockRestore(),
  };
}

describe('writeCheckpoint on a full disk', () => {
  let root: string;
  let disk: ReturnType<typeof fullDisk>;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fracture-full-'));
    disk = fullDisk(root);
  });
  afterEach(() => {
    disk.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('ENOSPC names the checkpoint, keeps the previous one and leaves no temporary folder; the next write succeeds', async () => {
    if (!disk.real) console.warn('full-disk test: no tmpfs here (not root, or mount refused): simulating ENOSPC');
    const model = tinyConvNet();
    const adam = new Adam({ lr: 0.01 });
    const dir = path.join(root, 'checkpoints');
    const before = tf.memory().numTensors;
    await writeCheckpoint(path.join(dir, 'best'), { model, optimizer: adam.snapshot(), state: state(0) });
    disk.fill();
    const failure = writeCheckpoint(path.join(dir, 'best'), { model, optimizer: adam.snapshot(), state: state(1) });
    await expect(failure).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(writeCheckpoint(path.join(dir, 'best'), { model, optimizer: adam.snapshot(), state: state(1) })).rejects.toThrow(
      new RegExp(`^writeCheckpoint: cannot write ${path.join(dir, 'best').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(.*\\): no space left on device \\[ENOSPC\\]`),
    );
    expect(fs.readdirSync(dir).filter((e) => e.includes('.tmp-'))).toEqual([]);
    expect((await readCheckpoint(path.join(dir, 'best'))).state.epoch).toBe(0);
    disk.free();
    await writeCheckpoint(path.join(dir, 'best'), { model, optimizer: adam.snapshot(), state: state(2) });
    expect((await readCheckpoint(path.join(dir, 'best'))).state.epoch).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    adam.dispose();
    model.dispose();
  });

  test('a temporary folder left by a dead process is removed by the next write of any checkpoint, and by removeStaleCheckpointFiles', async () => {
    const model = tinyConvNet();
    const adam = new Adam({ lr: 0.01 });
    const dir = path.join(root, 'checkpoints');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const abandoned = path.join(dir, `.best.tmp-${dead}-1`);
    fs.mkdirSync(abandoned, { recursive: true });
    fs.writeFileSync(path.join(abandoned, 'weights.bin'), Buffer.alloc(1024));
    // A live process's temporary folder is another writer's work in progress: left alone.
    const live = path.join(dir, `.best.tmp-${process.ppid}-1`);
    fs.mkdirSync(live);
    await writeCheckpoint(path.join(dir, 'last'), { model, optimizer: adam.snapshot(), state: state(0) });
    expect(fs.existsSync(abandoned)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    fs.mkdirSync(abandoned);
    await removeStaleCheckpointFiles(dir);
    expect(fs.existsSync(abandoned)).toBe(false);
    adam.dispose();
    model.dispose();
  });
});
