import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/** One case of test/fixtures/reference/manifest.json, written by scripts/make-reference-fixtures.py. */
export interface ReferenceCase {
  name: string;
  op: string;
  params: Record<string, unknown>;
  tolerance: number | null;
  note: string;
  /** Input as float32 in [0, 1] (uint8 inputs divided by 255), [H, W, C]. */
  input: tf.Tensor3D;
  /** Expected output values: floats, or 8-bit levels when the reference works on uint8. */
  expected: Float32Array;
  expectedShape: number[];
  expectedIsUint8: boolean;
}

interface ArrayEntry {
  file: string;
  shape: number[];
  dtype: 'uint8' | 'float32';
}

const REFERENCE_DIR = join(__dirname, '..', 'fixtures', 'reference');

function readArray(entry: ArrayEntry): Float32Array {
  const bytes = readFileSync(join(REFERENCE_DIR, entry.file));
  if (entry.dtype === 'uint8') return Float32Array.from(bytes);
  const copy = new Uint8Array(bytes).buffer;
  return new Float32Array(copy);
}

/** Loads the cases for one op; the caller disposes each `input`. */
export function loadReferenceCases(op: string): ReferenceCase[] {
  const manifest = JSON.parse(readFileSync(join(REFERENCE_DIR, 'manifest.json'), 'utf8')) as {
    cases: { name: string; op: string; params: Record<string, unknown>; tolerance: number | null; note: string; input: ArrayEntry; expected: ArrayEntry }[];
  };
  return manifest.cases
    .filter((c) => c.op === op)
    .map((c) => {
      const raw = readArray(c.input);
      const input = c.input.dtype === 'uint8' ? raw.map((v) => v / 255) : raw;
      return {
        name: c.name,
        op: c.op,
        params: c.params,
        tolerance: c.tolerance,
        note: c.note,
        input: tf.tensor3d(input, c.input.shape as [number, number, number]),
        expected: readArray(c.expected),
        expectedShape: c.expected.shape,
        expectedIsUint8: c.expected.dtype === 'uint8',
      };
    });
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths differ (${a.length} vs ${b.length})`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Output tensor values as 8-bit levels (round(v * 255)), for comparison with uint8 references. */
export function toLevels(values: ArrayLike<number>): Float32Array {
  return Float32Array.from(values, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}
