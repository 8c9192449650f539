import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '@fracture/backend';
import { writeSyntheticDataset } from '@fracture/preprocess';
import { createProgram } from '../program';
import { formatCliError } from '../cli-error';

/** The tests train small CNNs: wasm with @fracture/backend's gradient kernels is far faster than cpu for that. */
export async function useWasm(): Promise<void> {
  const selection = await selectBackend({ prefer: 'wasm', allowTensorflow: false });
  if (selection.name !== 'wasm') throw new Error(`tests need the wasm backend: ${selection.reason}`);
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `fracture-cli-${prefix}-`));
}

/** A small synthetic dataset in the Kaggle layout (several rotated variants per source). */
export async function syntheticDataset(dir: string, count = 120, size = 32): Promise<string> {
  await writeSyntheticDataset(dir, { count, size, seed: 3, variantsPerSource: 4 });
  return dir;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs the CLI in-process, capturing stdout and stderr. */
export async function runCli(args: string[]): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const streams = {
    stdout: { write: (chunk: string) => ((stdout += chunk), true) },
    stderr: { write: (chunk: string) => ((stderr += chunk), true), isTTY: false },
  };
  const previous = process.exitCode;
  process.exitCode = 0;
  const program = createProgram(streams, { exitOverride: true });
  let exitCode = 0;
  try {
    await program.parseAsync(['node', 'fracture', ...args]);
    exitCode = Number(process.exitCode ?? 0);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    exitCode = typeof code === 'number' ? code : 1;
    if (typeof code !== 'number') stderr += `${formatCliError(error)}\n`;
  } finally {
    process.exitCode = previous;
  }
  return { stdout, stderr, exitCode };
}
