import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectBackend } from '@fracture/backend';
import { encodePng, generateSyntheticRadiographs, writeSyntheticDataset } from '@fracture/preprocess';
import { createProgram } from '../program';
import type { ProgramSettings } from '../program';
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
export async function runCli(args: string[], settings: ProgramSettings = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const streams = {
    stdout: { write: (chunk: string) => ((stdout += chunk), true) },
    stderr: { write: (chunk: string) => ((stderr += chunk), true), isTTY: false },
  };
  const previous = process.exitCode;
  process.exitCode = 0;
  const program = createProgram(streams, { exitOverride: true, ...settings });
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

/**
 * A FracAtlas-style folder (the release's layout, `Annotations/YOLO`, `dataset.csv`) of synthetic radiographs
 * with their fracture boxes: regions alternate hand / leg (every fifth image also hip), every fourth fractured
 * image shows an implant, and one truncated JPEG is there to be reported.
 */
export async function fracAtlasDataset(dir: string, count = 40, size = 48): Promise<string> {
  const radiographs = generateSyntheticRadiographs({ count, size, seed: 11 });
  const rows = ['image_id,hand,leg,hip,shoulder,mixed,hardware,multiscan,fractured,fracture_count,frontal,lateral,oblique'];
  let fracturedSeen = 0;
  for (const [i, r] of radiographs.entries()) {
    const id = `IMG${String(i).padStart(7, '0')}`;
    const fractured = r.className === 'fractured';
    const folder = fractured ? 'Fractured' : 'Non_fractured';
    await fs.mkdir(path.join(dir, 'images', folder), { recursive: true });
    await fs.writeFile(path.join(dir, 'images', folder, `${id}.png`), encodePng(r.image));
    const hand = i % 2 === 0 ? 1 : 0;
    const hip = i % 5 === 0 ? 1 : 0;
    const hardware = fractured && fracturedSeen++ % 4 === 0 ? 1 : 0;
    rows.push(`${id}.png,${hand},${1 - hand},${hip},0,0,${hardware},0,${fractured ? 1 : 0},${fractured ? 1 : 0},1,0,0`);
    await fs.mkdir(path.join(dir, 'Annotations', 'YOLO'), { recursive: true });
    const box = r.fractureBox;
    const yolo = box ? `0 ${(box.x + box.width / 2) / size} ${(box.y + box.height / 2) / size} ${box.width / size} ${box.height / size}\n` : '';
    await fs.writeFile(path.join(dir, 'Annotations', 'YOLO', `${id}.txt`), yolo);
  }
  await fs.writeFile(path.join(dir, 'dataset.csv'), rows.join('\n') + '\n');
  // The release's truncated files: a JPEG start with no end.
  await fs.writeFile(path.join(dir, 'images', 'Non_fractured', 'IMG0009999.jpg'), Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]));
  return dir;
}
