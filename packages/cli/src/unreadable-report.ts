import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileNamed } from './write-file-named';

export const UNREADABLE_REPORT = 'unreadable-images.csv';

/** An image left out of training, and why. */
export interface UnreadableImage {
  path: string;
  reason: string;
  /** `scan`: found unreadable while listing the dataset; `decode`: failed when the loader decoded it. */
  stage: 'scan' | 'decode';
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Lines shown on stderr before pointing at the file, so a dataset with thousands of bad files stays readable. */
const SHOWN = 20;

/**
 * Writes `unreadable-images.csv` (path, reason, stage) into `out` and reports every entry (the first 20, then a
 * count) through `log`. With nothing to report, an earlier run's file is removed so the folder never describes
 * another run.
 */
export async function writeUnreadableReport(out: string, entries: readonly UnreadableImage[], log: (line: string) => void): Promise<string | null> {
  const file = path.join(out, UNREADABLE_REPORT);
  if (entries.length === 0) {
    await fs.rm(file, { force: true });
    return null;
  }
  const lines = ['path,reason,stage', ...entries.map((e) => [e.path, e.reason, e.stage].map(csvField).join(','))];
  await writeFileNamed(file, lines.join('\n') + '\n', 'writeUnreadableReport', { atomic: true });
  log(`${entries.length} image(s) could not be read and were left out (list in ${file}):`);
  for (const entry of entries.slice(0, SHOWN)) log(`  ${JSON.stringify(entry.path).slice(1, -1)}: ${entry.reason}`);
  if (entries.length > SHOWN) log(`  … and ${entries.length - SHOWN} more`);
  return file;
}
