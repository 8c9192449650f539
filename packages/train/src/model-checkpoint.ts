import * as path from 'node:path';
import { fromJsonNumber, isImprovement, resolveMode, toJsonNumber, worstValue } from './monitor';
import type { EpochLogs, JsonValue, TrainCallback, TrainContext } from './types';

/** Options for `modelCheckpoint`. */
export interface ModelCheckpointOptions {
  /** Directory holding the `last` and `best` checkpoint folders. */
  dir: string;
  /** Metric deciding `best` (default `val_loss`, falling back to `loss` when there is no validation). */
  monitor?: string;
  mode?: 'min' | 'max' | 'auto';
  saveLast?: boolean;
  saveBest?: boolean;
  /** Save `last` every this many epochs (default 1). */
  every?: number;
}

/**
 * Saves full training checkpoints (model, optimiser state, epoch, RNG state,
 * history, callback state) at the end of epochs: `dir/last` always, `dir/best`
 * when the monitored metric improves. Each save is atomic; resume with
 * `train(model, data, { resumeFrom: dir })`.
 */
export function modelCheckpoint(options: ModelCheckpointOptions): TrainCallback {
  if (!options || typeof options.dir !== 'string' || options.dir.length === 0) {
    throw new Error('modelCheckpoint: expected options.dir, the directory for the checkpoints');
  }
  const saveLast = options.saveLast ?? true;
  const saveBest = options.saveBest ?? true;
  const every = options.every ?? 1;
  if (!(Number.isInteger(every) && every >= 1)) throw new Error(`modelCheckpoint: expected every >= 1, got ${every}`);
  let monitor = options.monitor;
  let mode = resolveMode(monitor ?? 'val_loss', options.mode);
  // The worst value for the mode: with an explicit monitor in 'max' mode, Infinity would never be improved on.
  let best = worstValue(mode);

  return {
    name: 'modelCheckpoint',
    order: 100,
    async onEpochEnd(logs: EpochLogs, ctx: TrainContext) {
      if (monitor === undefined) {
        monitor = typeof logs.val_loss === 'number' ? 'val_loss' : 'loss';
        mode = resolveMode(monitor, options.mode);
        best = worstValue(mode);
      }
      const current = logs[monitor];
      const improved = typeof current === 'number' && Number.isFinite(current) && isImprovement(current, best, mode, 0);
      if (improved) best = current;
      // `best` is updated before saving so that `last` carries this callback's new state.
      const isLastEpoch = logs.epoch === ctx.options.epochs - 1 || ctx.stopRequested !== null;
      // `last` is written second so that it is the most recent checkpoint the trainer reports.
      if (saveBest && improved) await ctx.saveCheckpoint(path.join(options.dir, 'best'));
      if (saveLast && ((logs.epoch + 1) % every === 0 || isLastEpoch)) await ctx.saveCheckpoint(path.join(options.dir, 'last'));
    },
    getState(): JsonValue {
      return { monitor: monitor ?? null, mode, best: toJsonNumber(best) };
    },
    setState(state: JsonValue) {
      const s = (state ?? {}) as Record<string, JsonValue>;
      if (typeof s.monitor === 'string') monitor = s.monitor;
      if (s.mode === 'min' || s.mode === 'max') mode = s.mode;
      best = fromJsonNumber(s.best, worstValue(mode));
    },
  };
}
