/** Direction in which a monitored metric improves. */
export type MonitorMode = 'min' | 'max';

/** `'auto'` means max for accuracy-like metrics and min for everything else (losses), as Keras decides. */
export function resolveMode(monitor: string, mode: 'min' | 'max' | 'auto' | undefined): MonitorMode {
  if (mode === 'min' || mode === 'max') return mode;
  return /acc|auc|f1|precision|recall|kappa/i.test(monitor) ? 'max' : 'min';
}

/** Keras's rule: an improvement must beat the best by more than `minDelta`. */
export function isImprovement(current: number, best: number, mode: MonitorMode, minDelta: number): boolean {
  return mode === 'min' ? current + minDelta < best : current - minDelta > best;
}

export function worstValue(mode: MonitorMode): number {
  return mode === 'min' ? Infinity : -Infinity;
}

/** JSON cannot hold Infinity; checkpoints store it as null. */
export function toJsonNumber(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

export function fromJsonNumber(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
