import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { EpochLogs, TrainCallback, TrainContext } from './types';

/** Options for `historyWriter`: either path or both. */
export interface HistoryWriterOptions {
  csv?: string;
  json?: string;
}

/** History as CSV: one row per epoch (1-based), columns in first-seen order, empty cells for missing metrics. */
export function historyToCsv(history: readonly EpochLogs[]): string {
  const columns: string[] = [];
  for (const row of history) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const lines = [columns.join(',')];
  for (const row of history) {
    lines.push(
      columns
        .map((key) => {
          const value = row[key];
          if (value === undefined) return '';
          return key === 'epoch' ? String(value + 1) : String(value);
        })
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the history as CSV and/or JSON after every epoch (replacing the files atomically), resumed epochs included. */
export function historyWriter(options: HistoryWriterOptions): TrainCallback {
  if (!options || (!options.csv && !options.json)) throw new Error('historyWriter: expected options.csv and/or options.json');
  return {
    name: 'historyWriter',
    order: 150,
    async onEpochEnd(_logs: EpochLogs, ctx: TrainContext) {
      if (options.csv) await writeAtomically(options.csv, historyToCsv(ctx.history));
      if (options.json) await writeAtomically(options.json, `${JSON.stringify(ctx.history.map((h) => ({ ...h, epoch: h.epoch + 1 })), null, 1)}\n`);
    },
  };
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, file);
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    // Node's write errors (ENOSPC above all) do not say which file.
    const code = (error as NodeJS.ErrnoException).code;
    throw Object.assign(new Error(`historyWriter: cannot write ${file}: ${(error as Error).message}`), { code });
  }
}
