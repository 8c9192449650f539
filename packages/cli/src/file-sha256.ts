import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The SHA-256 of a file's bytes in hex, read as a stream (weights files run to hundreds of MB). Errors name `fn` and the file. */
export async function sha256File(file: string, fn: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (error) {
    throw new Error(`${fn}: cannot read ${file}: ${(error as Error).message}`);
  }
  return hash.digest('hex');
}
