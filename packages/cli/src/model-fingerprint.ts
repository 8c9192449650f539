import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * A SHA-256 over every file of a model folder (names and contents, in name order): what a long job's progress
 * file records so that it is never continued with another model's scores, even when the folder was retrained in
 * place. A missing folder throws, naming it.
 */
export async function modelFingerprint(modelDir: string): Promise<string> {
  let names: string[];
  try {
    names = (await fs.readdir(modelDir, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name).sort();
  } catch (error) {
    throw new Error(`modelFingerprint: cannot read the model folder ${modelDir}: ${(error as Error).message}`);
  }
  const hash = createHash('sha256');
  for (const name of names) {
    const bytes = await fs.readFile(path.join(modelDir, name));
    // Each name and length delimits its content, so moving bytes from one file to the next changes the hash.
    hash.update(`${name}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}
