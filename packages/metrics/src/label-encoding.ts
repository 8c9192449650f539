import type { Label } from './types';

// Class order and label -> index encoding shared by the label-based metrics.

function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Sorted union of the labels seen, as scikit-learn's `unique_labels`. */
export function uniqueSortedLabels(...arrays: (readonly Label[])[]): Label[] {
  const seen = new Set<Label>();
  for (const arr of arrays) for (const v of arr) seen.add(v);
  return [...seen].sort(compareLabels);
}

export function checkLabelOrder(fn: string, labels: readonly Label[]): Label[] {
  if (!Array.isArray(labels) || labels.length === 0) throw new Error(`${fn}: options.labels must be a non-empty array`);
  const seen = new Set<Label>();
  for (const l of labels) {
    if (seen.has(l)) throw new Error(`${fn}: options.labels lists ${JSON.stringify(l)} twice`);
    seen.add(l);
  }
  return [...labels];
}

/** Resolves the class order: explicit when given, otherwise the sorted union. */
export function resolveLabels(fn: string, explicit: readonly Label[] | undefined, ...arrays: (readonly Label[])[]): Label[] {
  return explicit ? checkLabelOrder(fn, explicit) : uniqueSortedLabels(...arrays);
}

/** Maps labels to class indices, naming the first label that is not in the class order. */
export function encodeLabels(fn: string, name: string, values: readonly Label[], classes: readonly Label[]): Int32Array {
  const index = new Map<Label, number>();
  classes.forEach((c, i) => index.set(c, i));
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const k = index.get(values[i]);
    if (k === undefined) {
      throw new Error(
        `${fn}: ${name}[${i}] = ${JSON.stringify(values[i])} is not one of the labels ${JSON.stringify(classes)}`,
      );
    }
    out[i] = k;
  }
  return out;
}

/** True where the label equals the positive class; names the function when the positive class is absent. */
export function binarize(fn: string, yTrue: readonly Label[], positiveLabel: Label | undefined): Uint8Array {
  const pos = positiveLabel ?? 1;
  const out = new Uint8Array(yTrue.length);
  let any = false;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] === pos) {
      out[i] = 1;
      any = true;
    }
  }
  const distinct = uniqueSortedLabels(yTrue);
  if (distinct.length > 2) {
    throw new Error(
      `${fn}: expected binary labels, got ${distinct.length} classes ${JSON.stringify(distinct)}; use the one-vs-rest variant for multi-class`,
    );
  }
  if (!any && distinct.length === 2) {
    throw new Error(
      `${fn}: positiveLabel ${JSON.stringify(pos)} is not among the labels ${JSON.stringify(distinct)}; pass { positiveLabel } explicitly` +
        (positiveLabel === undefined ? ' (the default is 1, as scikit-learn)' : ''),
    );
  }
  if (positiveLabel === undefined && typeof yTrue[0] === 'string') {
    throw new Error(`${fn}: labels are strings, so the positive class must be given: pass { positiveLabel }`);
  }
  return out;
}

/**
 * Class order for a score matrix with `width` columns: explicit when given; for numeric labels the
 * column indices 0..width-1 (so a class absent from yTrue still has its column); for strings the
 * sorted labels seen, which must then number `width`.
 */
export function resolveMatrixLabels(fn: string, explicit: readonly Label[] | undefined, yTrue: readonly Label[], width: number): Label[] {
  if (explicit) {
    const labels = checkLabelOrder(fn, explicit);
    if (labels.length !== width) throw new Error(`${fn}: ${labels.length} labels for score rows of ${width} classes`);
    return labels;
  }
  if (typeof yTrue[0] === 'number') return Array.from({ length: width }, (_, i) => i);
  const seen = uniqueSortedLabels(yTrue);
  if (seen.length !== width) {
    throw new Error(`${fn}: yTrue holds ${seen.length} classes but score rows have ${width}; pass { labels } in column order`);
  }
  return seen;
}
