import { promises as fs } from 'node:fs';

/**
 * `fs.writeFile`, atomically (a temporary sibling, then a rename) when asked, whose errors name the file: Node's
 * own `ENOSPC: no space left on device, write` does not, which leaves a user with a full disk guessing where.
 * Nothing half-written is left behind. The error keeps the errno `code`.
 */
export async function writeFileNamed(file: string, data: string | Uint8Array, fn: string, options: { atomic?: boolean } = {}): Promise<void> {
  const target = options.atomic ? `${file}.tmp-${process.pid}` : file;
  try {
    await fs.writeFile(target, data);
    if (options.atomic) await fs.rename(target, file);
  } catch (error) {
    await fs.rm(target, { force: true }).catch(() => {});
    const errno = error as NodeJS.ErrnoException;
    const reason = errno.code === 'ENOSPC' ? 'no space left on device' : errno.message;
    throw Object.assign(new Error(`${fn}: cannot write ${file}: ${reason}${errno.code ? ` [${errno.code}]` : ''}`), { code: errno.code, path: file });
  }
}
