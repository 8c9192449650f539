import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { AdamSnapshot } from './adam';
import { stableWeights } from './model-weights';
import type { CheckpointState } from './types';

/** Files of a checkpoint folder; `state.json` is written last and marks the folder complete. */
export const CHECKPOINT_FILES = ['model.json', 'weights.bin', 'optimizer.json', 'optimizer.bin', 'state.json'] as const;

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

/** What a checkpoint holds once read back. */
export interface LoadedCheckpoint {
  dir: string;
  state: CheckpointState;
  weights: Map<string, { shape: number[]; dtype: 'float32' | 'int32'; data: Float32Array | Int32Array }>;
  optimizer: AdamSnapshot;
}

/** Test hook: called after the files are in the temporary folder and before it replaces the old checkpoint. */
export type BeforeCommitHook = (tmpDir: string) => void | Promise<void>;

/**
 * Writes a checkpoint folder atomically: everything goes to a temporary
 * sibling folder, each file fsynced, then the old folder is moved aside, the
 * new one renamed into place and the old one deleted. A crash at any point
 * leaves either the previous checkpoint (possibly under its `.old` name, which
 * `resolveCheckpointDir` finds) or the new one, never a half-written folder.
 */
export async function writeCheckpoint(
  dir: string,
  contents: { model: LayersModel; optimizer: AdamSnapshot; state: Omit<CheckpointState, 'files' | 'format' | 'version' | 'savedAt'> },
  beforeCommit?: BeforeCommitHook,
): Promise<void> {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  await fs.mkdir(parent, { recursive: true });
  await removeStale(parent, base);
  const tmp = path.join(parent, `.${base}.tmp-${process.pid}-${Date.now()}`);
  try {
    await writeInto(tmp, target, parent, base, contents, beforeCommit);
  } catch (error) {
    // A full disk must not stay full because of our half-written folder: that would also fail the next save.
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw describeWriteError(error, target);
  }
}

/** Names the checkpoint and the file in a failed write, keeping the errno code for callers that test it. */
function describeWriteError(error: unknown, target: string): Error {
  const errno = error as NodeJS.ErrnoException;
  if (typeof errno?.code !== 'string') return error as Error;
  const where = errno.path ? ` (${errno.path})` : '';
  const reason = errno.code === 'ENOSPC' ? 'no space left on device' : errno.message;
  const wrapped = new Error(`writeCheckpoint: cannot write ${target}${where}: ${reason} [${errno.code}]; any previous checkpoint is kept`) as NodeJS.ErrnoException;
  wrapped.code = errno.code;
  if (errno.path) wrapped.path = errno.path;
  return wrapped;
}

async function writeInto(
  tmp: string,
  target: string,
  parent: string,
  base: string,
  contents: Parameters<typeof writeCheckpoint>[1],
  beforeCommit: BeforeCommitHook | undefined,
): Promise<void> {
  await fs.mkdir(tmp);

  const { manifest: weightManifest, data: weightData } = serialiseWeights(contents.model);
  const modelJson = {
    format: 'layers-model',
    generatedBy: '@fracture/train',
    convertedBy: null,
    modelTopology: topologyOf(contents.model),
    weightsManifest: [{ paths: ['weights.bin'], weights: weightManifest }],
  };
  const files: Record<string, Uint8Array> = {
    'model.json': utf8(JSON.stringify(modelJson)),
    'weights.bin': weightData,
    'optimizer.json': utf8(JSON.stringify(contents.optimizer.manifest)),
    'optimizer.bin': contents.optimizer.data,
  };
  const sizes: Record<string, number> = {};
  for (const [name, bytes] of Object.entries(files)) {
    await writeFileSynced(path.join(tmp, name), bytes);
    sizes[name] = bytes.byteLength;
  }
  const state: CheckpointState = {
    format: 'fracture-train-checkpoint',
    version: 1,
    ...contents.state,
    savedAt: new Date().toISOString(),
    files: sizes,
  };
  await writeFileSynced(path.join(tmp, 'state.json'), utf8(JSON.stringify(state, null, 1)));
  await syncDir(tmp);
  if (beforeCommit) await beforeCommit(tmp);

  const old = path.join(parent, `.${base}.old-${process.pid}-${Date.now()}`);
  let movedAside = false;
  try {
    await fs.rename(target, old);
    movedAside = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await fs.rename(tmp, target);
  await syncDir(parent);
  if (movedAside) await fs.rm(old, { recursive: true, force: true });
}

/** Folder of `modelCheckpoint`'s newest checkpoint written during an epoch, beside `last` and `best`. */
export const MID_EPOCH_CHECKPOINT = 'mid-epoch';

/**
 * Finds the checkpoint to load from `dir`: the folder itself when it is a
 * complete checkpoint; for a `modelCheckpoint` directory, the further ahead
 * (by step) of its `last` and `mid-epoch` subfolders, `last` on a tie since it
 * holds the finished epoch; or the previous checkpoint left under a `.old`
 * name by a crash between the two renames.
 */
export async function resolveCheckpointDir(dir: string): Promise<string> {
  const target = path.resolve(dir);
  if (await isComplete(target)) return target;
  let best: { dir: string; step: number } | null = null;
  for (const name of ['last', MID_EPOCH_CHECKPOINT]) {
    const found = await completeOrPrevious(path.join(target, name));
    if (found && (best === null || found.step > best.step)) best = found;
  }
  if (best) return best.dir;
  const previous = await completeOrPrevious(target);
  if (previous) return previous.dir;
  throw new Error(`resolveCheckpointDir: ${target}: no complete checkpoint (state.json missing)`);
}

/** Reads only `state.json` of the checkpoint `dir` resolves to: where a resume would continue, without loading weights. */
export async function readCheckpointState(dir: string): Promise<{ dir: string; state: CheckpointState }> {
  const resolved = await resolveCheckpointDir(dir);
  const state = await completeState(resolved);
  if (!state) throw new Error(`readCheckpointState: ${resolved}: state.json is not a @fracture/train checkpoint`);
  return { dir: resolved, state };
}

/**
 * Deletes a checkpoint folder that a newer one has superseded. `state.json` goes first, so a stop half-way leaves
 * a folder that no reader takes for a checkpoint (and the next write into `dir` replaces).
 */
export async function discardCheckpoint(dir: string): Promise<void> {
  const target = path.resolve(dir);
  await fs.rm(path.join(target, 'state.json'), { force: true });
  await fs.rm(target, { recursive: true, force: true });
}

/** `dir` when complete, else the newest complete `.old` copy a crash between the two renames left beside it. */
async function completeOrPrevious(dir: string): Promise<{ dir: string; step: number } | null> {
  const state = await completeState(dir);
  if (state) return { dir, step: state.step };
  const parent = path.dirname(dir);
  const prefix = `.${path.basename(dir)}.old-`;
  const entries = await fs.readdir(parent).catch(() => [] as string[]);
  for (const entry of entries.filter((e) => e.startsWith(prefix)).sort().reverse()) {
    const old = await completeState(path.join(parent, entry));
    if (old) return { dir: path.join(parent, entry), step: old.step };
  }
  return null;
}

/** Reads and verifies a checkpoint folder (see `resolveCheckpointDir` for what `dir` may be). */
export async function readCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const resolved = await resolveCheckpointDir(dir);
  const read = (name: string) => fs.readFile(path.join(resolved, name));
  const state = JSON.parse((await read('state.json')).toString('utf8')) as CheckpointState;
  if (state.format !== 'fracture-train-checkpoint') {
    throw new Error(`readCheckpoint: ${resolved}: state.json is not a @fracture/train checkpoint`);
  }
  const bytes: Record<string, Buffer> = {};
  for (const name of ['model.json', 'weights.bin', 'optimizer.json', 'optimizer.bin']) {
    bytes[name] = await read(name);
    if (state.files[name] !== undefined && bytes[name]!.byteLength !== state.files[name]) {
      throw new Error(
        `readCheckpoint: ${path.join(resolved, name)}: ${bytes[name]!.byteLength} bytes, expected ${state.files[name]} (truncated?)`,
      );
    }
  }
  const modelJson = JSON.parse(bytes['model.json']!.toString('utf8')) as { weightsManifest: { weights: WeightEntry[] }[] };
  const weights: LoadedCheckpoint['weights'] = new Map();
  const weightBuffer = toArrayBuffer(bytes['weights.bin']!);
  let offset = 0;
  for (const entry of modelJson.weightsManifest[0]!.weights) {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    const data = entry.dtype === 'int32' ? new Int32Array(weightBuffer, offset, size) : new Float32Array(weightBuffer, offset, size);
    offset += size * 4;
    weights.set(entry.name, { shape: entry.shape, dtype: entry.dtype, data });
  }
  const optimizer: AdamSnapshot = {
    manifest: JSON.parse(bytes['optimizer.json']!.toString('utf8')) as AdamSnapshot['manifest'],
    data: new Uint8Array(toArrayBuffer(bytes['optimizer.bin']!)),
  };
  return { dir: resolved, state, weights, optimizer };
}

/**
 * Writes checkpointed weights into `model`, matching by the layer variables'
 * original names; when the names differ (tfjs numbers auto-generated layer
 * names per process), by position, provided every shape matches.
 */
export function loadWeightsInto(model: LayersModel, weights: LoadedCheckpoint['weights'], caller: string): void {
  const targets = stableWeights(model);
  const byName = targets.every((w) => weights.has(w.originalName));
  const saved = byName ? targets.map((w) => weights.get(w.originalName)!) : [...weights.values()];
  if (!byName && saved.length !== targets.length) {
    const missing = targets.filter((w) => !weights.has(w.originalName)).map((w) => w.originalName);
    throw new Error(
      `${caller}: the checkpoint has no weights for ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''} ` +
        `and holds ${saved.length} weights where the model has ${targets.length}`,
    );
  }
  targets.forEach((w, i) => {
    if (!tf.util.arraysEqual(saved[i]!.shape, w.shape as number[])) {
      throw new Error(`${caller}: weight '${w.originalName}' has shape [${w.shape}], the checkpoint [${saved[i]!.shape}]`);
    }
  });
  tf.tidy(() => {
    targets.forEach((w, i) => w.write(tf.tensor(saved[i]!.data, saved[i]!.shape, saved[i]!.dtype)));
  });
}

function serialiseWeights(model: LayersModel): { manifest: WeightEntry[]; data: Uint8Array } {
  const manifest: WeightEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const w of stableWeights(model)) {
    const value = w.read();
    const dtype = value.dtype === 'int32' ? 'int32' : 'float32';
    const data = value.dtype === 'float32' || value.dtype === 'int32' ? value.dataSync() : tf.tidy(() => tf.cast(value, 'float32').dataSync());
    manifest.push({ name: w.originalName, shape: [...w.shape] as number[], dtype });
    const copy = dtype === 'int32' ? Int32Array.from(data as Int32Array) : Float32Array.from(data as Float32Array);
    chunks.push(new Uint8Array(copy.buffer));
  }
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const data = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    data.set(c, offset);
    offset += c.byteLength;
  }
  return { manifest, data };
}

function topologyOf(model: LayersModel): unknown {
  try {
    return model.toJSON(null, false);
  } catch {
    // Models with custom layers that cannot serialise still checkpoint their weights.
    return null;
  }
}

async function writeFileSynced(file: string, bytes: Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    // Writes through a file handle report ENOSPC without the file's name.
    const errno = error as NodeJS.ErrnoException;
    if (errno && typeof errno === 'object' && !errno.path) errno.path = file;
    throw error;
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  // Directory fsync makes the rename durable; some filesystems refuse it, which is harmless.
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* not supported here */
  }
}

async function isComplete(dir: string): Promise<boolean> {
  return (await completeState(dir)) !== null;
}

async function completeState(dir: string): Promise<CheckpointState | null> {
  try {
    const state = JSON.parse(await fs.readFile(path.join(dir, 'state.json'), 'utf8')) as CheckpointState;
    return state.format === 'fracture-train-checkpoint' ? state : null;
  } catch {
    return null;
  }
}

/**
 * Removes temporary folders left by crashed writes, and `.old` ones once the checkpoint itself is complete.
 * Temporary folders of any checkpoint (`last`, `best`, ...) go when the process that named them is gone: a
 * `best` that never improves again would otherwise keep its dead `.best.tmp-*` (and the disk full) forever.
 */
async function removeStale(parent: string, base: string): Promise<void> {
  const entries = await fs.readdir(parent).catch(() => [] as string[]);
  const targetComplete = await isComplete(path.join(parent, base));
  for (const entry of entries) {
    const isOld = entry.startsWith(`.${base}.old-`);
    if ((isOld && targetComplete) || isAbandonedTmp(entry)) await fs.rm(path.join(parent, entry), { recursive: true, force: true });
  }
}

/** `.<name>.tmp-<pid>-<ms>` of a dead process (or of this one, whose writes are sequential). */
function isAbandonedTmp(entry: string): boolean {
  const match = /^\..+\.tmp-(\d+)-\d+$/.exec(entry);
  if (!match) return false;
  const pid = Number(match[1]);
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/** Removes what crashed or failed checkpoint writes left in `dir` (a `modelCheckpoint` directory). */
export async function removeStaleCheckpointFiles(dir: string): Promise<void> {
  await removeStale(path.resolve(dir), '');
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
