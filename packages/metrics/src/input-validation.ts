import type { Label } from './types';

// Internal helpers: every public function validates at its boundary and names itself in the error.

export function assertNonEmpty(fn: string, name: string, values: ArrayLike<unknown> | undefined): void {
  if (!values || typeof values.length !== 'number') {
    throw new Error(`${fn}: expected ${name} to be an array, got ${values === null ? 'null' : typeof values}`);
  }
  if (values.length === 0) throw new Error(`${fn}: ${name} is empty`);
}

export function assertSameLength(fn: string, nameA: string, a: ArrayLike<unknown>, nameB: string, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) {
    throw new Error(`${fn}: ${nameA} has ${a.length} entries but ${nameB} has ${b.length}`);
  }
}

export function assertLabels(fn: string, name: string, values: readonly Label[]): void {
  assertNonEmpty(fn, name, values);
  const kind = typeof values[0];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' && typeof v !== 'string') {
      throw new Error(`${fn}: ${name}[${i}] is ${v === null ? 'null' : typeof v}; labels must be numbers or strings`);
    }
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`${fn}: ${name}[${i}] is ${v}; labels must be finite`);
    if (typeof v !== kind) throw new Error(`${fn}: ${name} mixes numbers and strings (index ${i})`);
  }
}

export function assertFiniteScores(fn: string, name: string, values: readonly number[]): void {
  assertNonEmpty(fn, name, values);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${fn}: ${name}[${i}] is ${Number.isNaN(v) ? 'NaN' : String(v)}; scores must be finite numbers`);
    }
  }
}

export function assertScoreMatrix(fn: string, name: string, rows: readonly (readonly number[])[], width: number): void {
  assertNonEmpty(fn, name, rows);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row) || row.length !== width) {
      throw new Error(`${fn}: ${name}[${i}] must hold ${width} class scores, got ${Array.isArray(row) ? row.length : typeof row}`);
    }
    for (let j = 0; j < width; j++) {
      if (typeof row[j] !== 'number' || !Number.isFinite(row[j])) {
        throw new Error(`${fn}: ${name}[${i}][${j}] is ${Number.isNaN(row[j]) ? 'NaN' : String(row[j])}; scores must be finite numbers`);
      }
    }
  }
}

export function assertProbabilities(fn: string, name: string, values: readonly number[]): void {
  assertFiniteScores(fn, name, values);
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] > 1) throw new Error(`${fn}: ${name}[${i}] = ${values[i]} is not a probability in [0, 1]`);
  }
}

export function isScoreMatrix(scores: readonly number[] | readonly (readonly number[])[]): scores is readonly (readonly number[])[] {
  return scores.length > 0 && Array.isArray(scores[0]);
}
