import { assertLabels, assertNonEmpty, assertSameLength } from './input-validation';
import type { Label } from './types';

/** Options of {@link fitTemperature}. */
export interface TemperatureOptions {
  /** The labels of probability columns 0 and 1. Default `[0, 1]`. */
  classes?: readonly [Label, Label];
  /** Search range for the temperature. Default `[0.05, 20]`. */
  range?: readonly [number, number];
}

const PROBABILITY_FLOOR = 1e-12;

/**
 * Temperature scaling (Guo et al., 2017) for a two-class model: the `T > 0` that minimises the negative
 * log-likelihood of `softmax(logits / T)` on held-out data. The model's probabilities are enough, because for two
 * classes `softmax(z / T)` depends only on `(z0 - z1) / T = log(p0 / p1) / T`. `T > 1` softens an over-confident
 * model; the ranking (and so the ROC curve and AUC) does not change. The NLL is convex in `1 / T`, so a
 * golden-section search on `log T` finds the minimum.
 */
export function fitTemperature(labels: readonly Label[], probabilities: readonly (readonly number[])[], options: TemperatureOptions = {}): number {
  const fn = 'fitTemperature';
  assertLabels(fn, 'labels', labels);
  assertNonEmpty(fn, 'labels', labels);
  assertSameLength(fn, 'labels', labels, 'probabilities', probabilities);
  const classes = options.classes ?? [0, 1];
  const [lo, hi] = options.range ?? [0.05, 20];
  if (!(lo > 0 && hi > lo)) throw new Error(`${fn}: range must be two numbers 0 < low < high, got [${lo}, ${hi}]`);
  const margins = probabilities.map((row, i) => {
    if (!Array.isArray(row) || row.length !== 2 || !row.every((p) => Number.isFinite(p) && p >= 0)) {
      throw new Error(`${fn}: row ${i} must hold two non-negative probabilities, got ${JSON.stringify(row)}`);
    }
    return Math.log(Math.max(row[0], PROBABILITY_FLOOR)) - Math.log(Math.max(row[1], PROBABILITY_FLOOR));
  });
  const signs = labels.map((label, i) => {
    if (label === classes[0]) return 1;
    if (label === classes[1]) return -1;
    throw new Error(`${fn}: label ${String(label)} at ${i} is neither of the classes ${String(classes[0])}, ${String(classes[1])}`);
  });
  // NLL of a sample: log(1 + exp(-s m / T)) with s = +1 for class 0, -1 for class 1.
  const nll = (logT: number) => {
    const t = Math.exp(logT);
    let total = 0;
    for (let i = 0; i < margins.length; i++) {
      const z = (-signs[i] * margins[i]) / t;
      total += z > 30 ? z : Math.log1p(Math.exp(z));
    }
    return total;
  };
  let a = Math.log(lo);
  let b = Math.log(hi);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = nll(c);
  let fd = nll(d);
  for (let iteration = 0; iteration < 200 && b - a > 1e-9; iteration++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = nll(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = nll(d);
    }
  }
  return Math.exp((a + b) / 2);
}

/** Two-class probabilities as a model with its logits divided by `temperature` would give them. */
export function applyTemperature(probabilities: readonly (readonly number[])[], temperature: number): number[][] {
  const fn = 'applyTemperature';
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`${fn}: temperature must be a positive number, got ${temperature}`);
  return probabilities.map((row, i) => {
    if (!Array.isArray(row) || row.length !== 2) throw new Error(`${fn}: row ${i} must hold two probabilities, got ${JSON.stringify(row)}`);
    const margin = (Math.log(Math.max(row[0], PROBABILITY_FLOOR)) - Math.log(Math.max(row[1], PROBABILITY_FLOOR))) / temperature;
    const p0 = 1 / (1 + Math.exp(-margin));
    return [p0, 1 - p0];
  });
}
