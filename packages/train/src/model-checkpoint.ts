import * as path from 'node:path';
import { discardCheckpoint, MID_EPOCH_CHECKPOINT } from './checkpoint-io';
import { fromJsonNumber, isImprovement, resolveMode, toJsonNumber, worstValue } from './monitor';
import type { BatchLogs, EpochLogs, JsonValue, TrainCallback, TrainContext } from './types';

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
  /**
   * Also save `dir/mid-epoch` between optimiser steps once this many seconds of training have passed since the last
   * save, so a stop loses at most about that much work. Only the newest mid-epoch checkpoint is kept; it is deleted
   * once a later `last` is complete. Default: none (checkpoints at epoch ends only).
   */
  everySeconds?: number;
  /** Also save `dir/mid-epoch` every this many optimiser steps (counted over the whole run). Default: none. */
  everySteps?: number;
}

/**
 * Saves full training checkpoints (model, optimiser state, epoch, RNG state,
 * history, callback state) at the end of epochs: `dir/last` always, `dir/best`
 * when the monitored metric improves; with `everySeconds` or `everySteps`, also
 * `dir/mid-epoch` between optimiser steps. Each save is atomic; resume with
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
  const { everySeconds, everySteps } = options;
  if (everySeconds !== undefined && !(typeof everySeconds === 'number' && everySeconds > 0 && Number.isFinite(everySeconds))) {
    throw new Error(`modelCheckpoint: expected everySeconds > 0, got ${everySeconds}`);
  }
  if (everySteps !== undefined && !(Number.isInteger(everySteps) && everySteps >= 1)) {
    throw new Error(`modelCheckpoint: expected everySteps to be an integer >= 1, got ${everySteps}`);
  }
  const midEpochDir = path.join(options.dir, MID_EPOCH_CHECKPOINT);
  const savesLast = (epoch: number, ctx: TrainContext) => saveLast && ((epoch + 1) % every === 0 || epoch === ctx.options.epochs - 1 || ctx.stopRequested !== null);
  // Time since the last save of any kind: an epoch-end `last` resets the clock as well.
  let lastSaved = Date.now();
  let monitor = options.monitor;
  let mode = resolveMode(monitor ?? 'val_loss', options.mode);
  // The worst value for the mode: with an explicit monitor in 'max' mode, Infinity would never be improved on.
  let best = worstValue(mode);

  return {
    name: 'modelCheckpoint',
    order: 100,
    onTrainBegin() {
      lastSaved = Date.now();
    },
    async onBatchEnd(logs: BatchLogs, ctx: TrainContext) {
      const dueBySteps = everySteps !== undefined && (logs.step + 1) % everySteps === 0;
      const dueByTime = everySeconds !== undefined && Date.now() - lastSaved >= everySeconds * 1000;
      if (!dueBySteps && !dueByTime) return;
      // The epoch's last batch: `last` is about to be written anyway.
      const lastBatch = ctx.options.numBatches !== undefined && logs.batch + 1 >= ctx.options.numBatches;
      if (lastBatch && savesLast(logs.epoch, ctx)) return;
      await ctx.saveCheckpoint(midEpochDir);
      lastSaved = Date.now();
    },
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
      // `last` is written second so that it is the most recent checkpoint the trainer reports.
      if (saveBest && improved) await ctx.saveCheckpoint(path.join(options.dir, 'best'));
      if (savesLast(logs.epoch, ctx)) {
        await ctx.saveCheckpoint(path.join(options.dir, 'last'));
        lastSaved = Date.now();
        // Only once the newer `last` is complete: until then the mid-epoch checkpoint is the newest safe point.
        if (everySeconds !== undefined || everySteps !== undefined) await discardCheckpoint(midEpochDir);
      }
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
