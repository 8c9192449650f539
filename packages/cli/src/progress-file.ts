import { promises as fs } from 'node:fs';
import { writeFileNamed } from './write-file-named';

/** What must match for a progress file's entries to be reused: the model's fingerprint and every setting. */
export type ProgressSettings = Record<string, string | number | boolean | readonly (string | number)[]>;

/** The finished work of a long job over many images, kept on disk so that a stopped job continues where it was. */
export interface ProgressStore<Entry extends { path: string }> {
  /** Entries by image path: those read from the file, then those added with `add`. */
  readonly done: ReadonlyMap<string, Entry>;
  /** How many entries came from the file. */
  readonly resumed: number;
  /** Records one image's result and writes the file when `everySeconds` have passed since it was last written. */
  add(entry: Entry): Promise<void>;
  /** Writes every entry now, whatever the cadence: for a job whose caller keeps the file past its end. */
  save(): Promise<void>;
  /** Removes the file: the job completed and its result is written elsewhere. */
  finish(): Promise<void>;
}

/**
 * Opens the progress of a job over images. The file holds the settings at its top level beside `images`, one entry
 * per finished image; a file written with other settings, or unreadable, is ignored (started again, never failed
 * on). Without a file, progress is kept in memory only. Writes are atomic, so a stop mid-write loses nothing saved.
 */
export async function openProgress<Entry extends { path: string }>(
  file: string | undefined,
  settings: ProgressSettings,
  options: { everySeconds?: number; caller: string },
): Promise<ProgressStore<Entry>> {
  const done = new Map<string, Entry>(file ? (await readEntries<Entry>(file, settings)).map((entry) => [entry.path, entry]) : []);
  const resumed = done.size;
  const everyMs = (options.everySeconds ?? 60) * 1000;
  let savedAt = Date.now();
  const save = async () => {
    if (!file) return;
    await writeFileNamed(file, JSON.stringify({ ...settings, images: [...done.values()] }), options.caller, { atomic: true });
    savedAt = Date.now();
  };
  return {
    done,
    resumed,
    async add(entry) {
      done.set(entry.path, entry);
      if (Date.now() - savedAt >= everyMs) await save();
    },
    save,
    async finish() {
      if (file) await fs.rm(file, { force: true });
    },
  };
}

async function readEntries<Entry>(file: string, settings: ProgressSettings): Promise<Entry[]> {
  let progress: Record<string, unknown>;
  try {
    progress = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // Missing, or left unreadable by something other than this code (its writes are atomic): start again.
    return [];
  }
  const same = Object.entries(settings).every(([name, value]) => JSON.stringify(progress[name]) === JSON.stringify(value));
  return same && Array.isArray(progress.images) ? (progress.images as Entry[]) : [];
}
