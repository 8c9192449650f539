import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileNamed } from './write-file-named';

export const LOCK_FILE = 'fracture.lock';

/** What a lock file records about the run holding a folder. */
export interface RunLockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
  /** Distinguishes two holders that reuse a pid (or two locks taken in one process). */
  token: string;
}

export interface RunLock {
  readonly file: string;
  readonly holder: RunLockHolder;
  /** A lock left by a process that no longer exists, removed to take this one. */
  readonly replacedStale: RunLockHolder | null;
  release(): Promise<void>;
}

/** Thrown when another live run holds the folder. */
export class RunLockedError extends Error {
  constructor(readonly file: string, readonly holder: RunLockHolder | null, fn: string) {
    const who = holder
      ? `pid ${holder.pid} on ${holder.host} (${holder.command}, started ${holder.startedAt})`
      : 'a run whose lock file cannot be read';
    super(
      `${fn}: ${path.dirname(file)} is in use by ${who}; wait for it to finish or choose another --out ` +
        `(if that run is gone, delete ${file})`,
    );
    this.name = 'RunLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<RunLockHolder | null> {
  try {
    const value = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<RunLockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return null;
    return { pid: value.pid, host: value.host, startedAt: String(value.startedAt), command: String(value.command), token: String(value.token) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    return null;
  }
}

/**
 * Takes `dir`'s lock for one writing run. The lock file is created complete (written aside, then hard-linked
 * into place, which fails if it exists), so a reader never sees half a holder. A lock from this host whose
 * pid is dead is stale and taken over; one from another host is never judged, since its pids mean nothing here.
 */
export async function acquireRunLock(dir: string, options: { command?: string; fn?: string } = {}): Promise<RunLock> {
  const fn = options.fn ?? 'acquireRunLock';
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const holder: RunLockHolder = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    command: options.command ?? process.argv.slice(1).join(' '),
    token: randomBytes(8).toString('hex'),
  };
  const aside = path.join(dir, `${LOCK_FILE}.${holder.token}`);
  await writeFileNamed(aside, JSON.stringify(holder, null, 2) + '\n', fn);
  let replacedStale: RunLockHolder | null = null;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.link(aside, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
      }
      let current: RunLockHolder | null;
      try {
        current = await readHolder(file);
      } catch {
        continue; // released between our link and our read
      }
      const stale = current !== null && current.host === holder.host && !isAlive(current.pid);
      if (!stale) throw new RunLockedError(file, current, fn);
      // Rename first: of two runs finding the same stale lock, only one moves it away.
      const grave = `${file}.stale-${holder.token}`;
      try {
        await fs.rename(file, grave);
        const moved = await readHolder(grave).catch(() => null);
        if (moved?.token !== current?.token) {
          // A live run took the lock between our read and our rename: put its lock back.
          await fs.link(grave, file).catch(() => {});
          await fs.rm(grave, { force: true });
          throw new RunLockedError(file, moved, fn);
        }
        await fs.rm(grave, { force: true });
        replacedStale = current;
      } catch (error) {
        if (error instanceof RunLockedError) throw error;
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  } finally {
    await fs.rm(aside, { force: true });
  }
  return {
    file,
    holder,
    replacedStale,
    async release() {
      const current = await readHolder(file).catch(() => null);
      if (current?.token === holder.token) await fs.rm(file, { force: true });
    },
  };
}
