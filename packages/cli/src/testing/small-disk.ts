import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * A real small filesystem (tmpfs of `size`, e.g. `64k`) at a new folder under `parent`, when this process may
 * mount one (root, as in CI containers); else null, and the caller simulates ENOSPC or skips.
 */
export async function mountSmallDisk(parent: string, size: string): Promise<{ dir: string; unmount(): void } | null> {
  if (process.getuid?.() !== 0) return null;
  const dir = await fs.mkdtemp(path.join(parent, 'disk-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status !== 0) return null;
  return { dir, unmount: () => void spawnSync('umount', [dir]) };
}
