import { spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireRunLock, LOCK_FILE, RunLockedError } from './run-lock';
import { tempDir } from './testing/fixtures';

describe('acquireRunLock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('lock');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('records pid, host, start and command; refuses a second writer naming the holder; release frees it', async () => {
    const first = await acquireRunLock(dir, { command: 'fracture train --model cnn', fn: 'runTraining' });
    const recorded = JSON.parse(await fs.readFile(path.join(dir, LOCK_FILE), 'utf8'));
    expect(recorded).toMatchObject({ pid: process.pid, host: os.hostname(), command: 'fracture train --model cnn' });
    expect(Date.parse(recorded.startedAt)).not.toBeNaN();
    const second = acquireRunLock(dir, { fn: 'runTraining' });
    await expect(second).rejects.toThrow(RunLockedError);
    await expect(acquireRunLock(dir, { fn: 'runTraining' })).rejects.toThrow(
      new RegExp(`^runTraining: .* is in use by pid ${process.pid} on ${os.hostname()} \\(fracture train --model cnn, started `),
    );
    await first.release();
    const third = await acquireRunLock(dir);
    expect(third.replacedStale).toBeNull();
    await third.release();
    expect(await fs.readdir(dir)).toEqual([]);
  });

  test('of many concurrent attempts exactly one wins', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireRunLock(dir)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const winner = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireRunLock>>>;
    await winner.value.release();
    // No aside or stale files are left behind.
    expect(await fs.readdir(dir)).toEqual([]);
  });

  test('a lock held by a live process refuses; once that process has died the lock is stale and taken over', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const pid = child.pid as number;
    const stale = { pid, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z', command: 'fracture train (killed)', token: 'x' };
    await fs.writeFile(path.join(dir, LOCK_FILE), JSON.stringify(stale));
    await expect(acquireRunLock(dir)).rejects.toThrow(`pid ${pid}`);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const lock = await acquireRunLock(dir);
    expect(lock.replacedStale).toMatchObject({ pid, command: 'fracture train (killed)' });
    expect(JSON.parse(await fs.readFile(lock.file, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  test('a lock from another host is never judged stale; an unreadable lock refuses', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    await fs.writeFile(path.join(dir, LOCK_FILE), JSON.stringify({ pid: dead, host: 'elsewhere', startedAt: 'x', command: 'c', token: 't' }));
    await expect(acquireRunLock(dir)).rejects.toThrow(`pid ${dead} on elsewhere`);
    await fs.writeFile(path.join(dir, LOCK_FILE), '{not json');
    await expect(acquireRunLock(dir)).rejects.toThrow('a run whose lock file cannot be read');
  });

  test('release leaves a lock that is no longer ours alone', async () => {
    const lock = await acquireRunLock(dir);
    const other = { pid: process.pid, host: os.hostname(), startedAt: 'x', command: 'other', token: 'other' };
    await fs.writeFile(lock.file, JSON.stringify(other));
    await lock.release();
    expect(JSON.parse(await fs.readFile(lock.file, 'utf8')).token).toBe('other');
  });
});
