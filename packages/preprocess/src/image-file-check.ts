import { open } from 'node:fs/promises';
import type { SkippedFile } from './dataset-types';

const TAIL_BYTES = 256;

/** The reason an image file cannot be used (format signature, end marker, I/O), or `undefined` when it looks whole. */
export async function checkImageFile(candidate: { path: string }): Promise<SkippedFile | undefined> {
  try {
    const reason = await readHeaderProblem(candidate.path);
    return reason ? { path: candidate.path, reason } : undefined;
  } catch (error) {
    return { path: candidate.path, reason: `cannot read: ${(error as Error).message}` };
  }
}

/** Reads only the first 132 and last 256 bytes: enough to recognise the format and to notice a cut-off file. */
export async function readHeaderProblem(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return 'empty file';
    const head = new Uint8Array(Math.min(size, 132));
    await handle.read(head, 0, head.length, 0);
    const tailLength = Math.min(size, TAIL_BYTES);
    const tail = new Uint8Array(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    return imageBytesProblem(head, tail);
  } finally {
    await handle.close();
  }
}

/**
 * Why an image's bytes cannot be a whole PNG, JPEG or DICOM, from its first 132 and last 256 bytes (or the whole
 * file), or `undefined` when they look whole. `readHeaderProblem` reads just those bytes; a reader that holds the
 * whole file already passes it as both.
 */
export function imageBytesProblem(head: Uint8Array, tail: Uint8Array): string | undefined {
  if (head.length === 0) return 'empty file';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    // A complete PNG ends with the IEND chunk: type 'IEND' then its fixed CRC.
    const iend = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
    return indexOfSequence(tail.subarray(-TAIL_BYTES), iend) >= 0 ? undefined : 'truncated PNG (no IEND chunk)';
  }
  if (startsWith(head, [0xff, 0xd8, 0xff])) {
    // Entropy-coded data escapes 0xFF, so FF D9 near the end can only be the end-of-image marker.
    return indexOfSequence(tail.subarray(-TAIL_BYTES), [0xff, 0xd9]) >= 0 ? undefined : 'truncated JPEG (no end-of-image marker)';
  }
  if (head.length >= 132 && String.fromCharCode(...head.subarray(128, 132)) === 'DICM') return undefined;
  return 'unrecognised image signature (not PNG, JPEG or DICOM)';
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((value, index) => bytes[index] === value);
}

function indexOfSequence(bytes: Uint8Array, sequence: number[]): number {
  outer: for (let i = 0; i + sequence.length <= bytes.length; i++) {
    for (let j = 0; j < sequence.length; j++) if (bytes[i + j] !== sequence[j]) continue outer;
    return i;
  }
  return -1;
}

/** `Promise.all(inputs.map(fn))` with at most `limit` calls in flight, results in input order. */
export async function mapLimited<T, R>(inputs: T[], limit: number, fn: (input: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const index = next++;
      results[index] = await fn(inputs[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return results;
}
