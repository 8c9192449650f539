import type { LayersModel } from '@tensorflow/tfjs-layers';
import { fromJsonNumber, isImprovement, resolveMode, toJsonNumber, worstValue } from './monitor';
import type { EarlyStoppingOptions, EpochLogs, JsonValue, TrainCallback, TrainContext } from './types';
import { WeightsSnapshot } from './weights-snapshot';

/**
 * Stops training when `monitor` (default `val_loss`) has not improved by more
 * than `minDelta` for `patience` epochs, with Keras's semantics. With
 * `restoreBestWeights`, the model ends training with the weights of the best
 * epoch (whether it stopped early or ran to the end). The best weights live in
 * memory: after a resume they are only restorable if the best epoch comes after
 * the resume point; use `modelCheckpoint`'s `best` folder otherwise.
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): TrainCallback {
  const monitor = options.monitor ?? 'val_loss';
  const mode = resolveMode(monitor, options.mode);
  const patience = options.patience ?? 0;
  const minDelta = Math.abs(options.minDelta ?? 0);
  const restoreBestWeights = options.restoreBestWeights ?? false;
  if (!(patience >= 0) || !Number.isInteger(patience)) throw new Error(`earlyStopping: expected an integer patience >= 0, got ${patience}`);

  let best = worstValue(mode);
  let bestEpoch = -1;
  let wait = 0;
  let warned = false;
  let snapshot: WeightsSnapshot | null = null;
  let model: LayersModel | null = null;

  return {
    name: 'earlyStopping',
    onTrainBegin(ctx: TrainContext) {
      model = ctx.model;
    },
    onEpochEnd(logs: EpochLogs, ctx: TrainContext) {
      const current = logs[monitor];
      if (typeof current !== 'number') {
        if (!warned) ctx.log({ level: 'warn', text: `earlyStopping: metric '${monitor}' is not in the epoch logs (${Object.keys(logs).join(', ')}); not stopping` });
        warned = true;
        return;
      }
      if (isImprovement(current, best, mode, minDelta)) {
        best = current;
        bestEpoch = logs.epoch;
        wait = 0;
        if (restoreBestWeights) {
          snapshot?.dispose();
          snapshot = WeightsSnapshot.take(ctx.model);
        }
        return;
      }
      wait += 1;
      if (wait >= patience) {
        ctx.stop('early-stopping');
        ctx.log({ level: 'info', text: `earlyStopping: '${monitor}' did not improve for ${wait} epoch(s); best ${best} at epoch ${bestEpoch + 1}` });
      }
    },
    onTrainEnd(ctx: TrainContext) {
      const last = ctx.history[ctx.history.length - 1];
      if (restoreBestWeights && snapshot && model && last && last.epoch !== bestEpoch) {
        snapshot.restoreInto(model);
        ctx.log({ level: 'info', text: `earlyStopping: restored the weights of epoch ${bestEpoch + 1} (${monitor} ${best})` });
      } else if (restoreBestWeights && !snapshot && bestEpoch >= 0 && last && last.epoch !== bestEpoch) {
        ctx.log({ level: 'warn', text: `earlyStopping: the best epoch (${bestEpoch + 1}) ran before the resume; its weights are not in memory` });
      }
      snapshot?.dispose();
      snapshot = null;
    },
    getState(): JsonValue {
      return { best: toJsonNumber(best), bestEpoch, wait };
    },
    setState(state: JsonValue) {
      const s = (state ?? {}) as Record<string, JsonValue>;
      best = fromJsonNumber(s.best, worstValue(mode));
      bestEpoch = typeof s.bestEpoch === 'number' ? s.bestEpoch : -1;
      wait = typeof s.wait === 'number' ? s.wait : 0;
    },
    dispose() {
      snapshot?.dispose();
      snapshot = null;
    },
  };
}
