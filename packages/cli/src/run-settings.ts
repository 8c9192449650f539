import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileNamed } from './write-file-named';

export const RUN_SETTINGS_FILE = 'run-settings.json';

/**
 * The settings that shape a training run's weights; a resumed run must continue with the same ones. Initial weights
 * are recorded as `weights` (the file's name, for people) and `weightsSha256` (what is compared), so a run resumes
 * after its weights file or the checkout moved, and refuses when the file's content changed.
 */
export type RunSettings = Record<string, string | number | boolean | null>;

/**
 * Settings recorded before `weightsSha256` existed held the weights file's path as given: those compare by file
 * name, and the hash is taken as matching. With hashes on both sides the name is only for people.
 */
function comparableWeights(recorded: RunSettings, settings: RunSettings): RunSettings {
  if (!('weightsSha256' in recorded)) {
    const name = typeof recorded.weights === 'string' ? path.basename(recorded.weights.replace(/\\/g, '/')) : recorded.weights ?? null;
    return { ...recorded, weights: name, weightsSha256: settings.weightsSha256 ?? null };
  }
  if (recorded.weightsSha256 !== null && settings.weightsSha256 !== null && settings.weightsSha256 !== undefined) {
    return { ...recorded, weights: settings.weights ?? null };
  }
  return recorded;
}

/**
 * Records `settings` for a new run, or for a resumed one checks them against what the run was started with.
 * A resume restores the optimiser's state (its learning rate included), so a changed `--lr` would silently
 * not apply while `fracture-model.json` claimed it did: refused instead. Epochs may change (to train longer).
 */
export async function checkRunSettings(out: string, settings: RunSettings, resuming: boolean, fn: string): Promise<'recorded' | 'matched' | 'unrecorded'> {
  const file = path.join(out, RUN_SETTINGS_FILE);
  if (!resuming) {
    await writeFileNamed(file, JSON.stringify(settings, null, 2) + '\n', fn, { atomic: true });
    return 'recorded';
  }
  let recorded: RunSettings;
  try {
    recorded = JSON.parse(await fs.readFile(file, 'utf8')) as RunSettings;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'unrecorded';
    throw new Error(`${fn}: ${file}: cannot be read (${(error as Error).message})`);
  }
  recorded = comparableWeights(recorded, settings);
  const keys = [...new Set([...Object.keys(recorded), ...Object.keys(settings)])];
  const changed = keys.filter((key) => JSON.stringify(recorded[key] ?? null) !== JSON.stringify(settings[key] ?? null));
  if (changed.length === 0) return 'matched';
  const show = (value: unknown) => JSON.stringify(value ?? null);
  throw new Error(
    `${fn}: ${out} holds checkpoints of a run with ${changed.map((k) => `${k} ${show(recorded[k])}`).join(', ')}; ` +
      `this run asks for ${changed.map((k) => `${k} ${show(settings[k])}`).join(', ')}. A resumed run continues with its ` +
      `recorded settings, so the new ones would not apply: repeat the original settings to resume, or choose another --out ` +
      `(or delete ${path.join(out, 'checkpoints')} to start over).`,
  );
}
