import { fromJsonNumber, resolveMode, toJsonNumber, worstValue } from './monitor';
import type { EpochLogs, JsonValue, TrainCallback, TrainContext } from './types';

/** Options for `lrSchedule.step`, as `torch.optim.lr_scheduler.StepLR`. */
export interface StepScheduleOptions {
  stepSize: number;
  gamma?: number;
}

/** Options for `lrSchedule.cosine`, as `torch.optim.lr_scheduler.CosineAnnealingLR`. */
export interface CosineScheduleOptions {
  /** Epochs of one half cosine period. */
  tMax: number;
  etaMin?: number;
}

/** Options for `lrSchedule.reduceOnPlateau`, as `torch.optim.lr_scheduler.ReduceLROnPlateau`. */
export interface ReduceOnPlateauOptions {
  monitor?: string;
  mode?: 'min' | 'max' | 'auto';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number;
  eps?: number;
}

/** Epoch-wise lr for StepLR: base * gamma^floor(epoch / stepSize). */
export function stepLr(baseLr: number, epoch: number, options: StepScheduleOptions): number {
  return baseLr * (options.gamma ?? 0.1) ** Math.floor(epoch / options.stepSize);
}

/** Epoch-wise lr for CosineAnnealingLR's closed form: etaMin + (base - etaMin)(1 + cos(pi epoch / tMax)) / 2. */
export function cosineLr(baseLr: number, epoch: number, options: CosineScheduleOptions): number {
  const etaMin = options.etaMin ?? 0;
  return etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * epoch) / options.tMax))) / 2;
}

function step(options: StepScheduleOptions): TrainCallback {
  if (!(Number.isInteger(options?.stepSize) && options.stepSize >= 1)) {
    throw new Error(`lrSchedule.step: expected an integer stepSize >= 1, got ${options?.stepSize}`);
  }
  return {
    name: 'lrSchedule.step',
    onEpochBegin(epoch: number, ctx: TrainContext) {
      ctx.lr = stepLr(ctx.baseLr, epoch, options);
    },
  };
}

function cosine(options: CosineScheduleOptions): TrainCallback {
  if (!(options?.tMax > 0)) throw new Error(`lrSchedule.cosine: expected tMax > 0, got ${options?.tMax}`);
  return {
    name: 'lrSchedule.cosine',
    onEpochBegin(epoch: number, ctx: TrainContext) {
      ctx.lr = cosineLr(ctx.baseLr, epoch, options);
    },
  };
}

function reduceOnPlateau(options: ReduceOnPlateauOptions = {}): TrainCallback {
  const monitor = options.monitor ?? 'val_loss';
  const mode = resolveMode(monitor, options.mode);
  const factor = options.factor ?? 0.1;
  const patience = options.patience ?? 10;
  const threshold = options.threshold ?? 1e-4;
  const thresholdMode = options.thresholdMode ?? 'rel';
  const cooldown = options.cooldown ?? 0;
  const minLr = options.minLr ?? 0;
  const eps = options.eps ?? 1e-8;
  if (!(factor > 0 && factor < 1)) throw new Error(`lrSchedule.reduceOnPlateau: expected factor in (0, 1), got ${factor}`);
  let best = worstValue(mode);
  let numBadEpochs = 0;
  let cooldownCounter = 0;

  const isBetter = (a: number): boolean => {
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (1 + threshold) : a > best + threshold;
  };

  return {
    name: 'lrSchedule.reduceOnPlateau',
    onEpochEnd(logs: EpochLogs, ctx: TrainContext) {
      const current = logs[monitor];
      if (typeof current !== 'number') return;
      if (isBetter(current)) {
        best = current;
        numBadEpochs = 0;
      } else {
        numBadEpochs += 1;
      }
      if (cooldownCounter > 0) {
        cooldownCounter -= 1;
        numBadEpochs = 0;
      }
      if (numBadEpochs > patience) {
        const newLr = Math.max(ctx.lr * factor, minLr);
        if (ctx.lr - newLr > eps) {
          ctx.log({ level: 'info', text: `reduceOnPlateau: '${monitor}' stalled; lr ${ctx.lr} -> ${newLr}` });
          ctx.lr = newLr;
        }
        cooldownCounter = cooldown;
        numBadEpochs = 0;
      }
    },
    getState(): JsonValue {
      return { best: toJsonNumber(best), numBadEpochs, cooldownCounter };
    },
    setState(state: JsonValue) {
      const s = (state ?? {}) as Record<string, JsonValue>;
      best = fromJsonNumber(s.best, worstValue(mode));
      numBadEpochs = typeof s.numBadEpochs === 'number' ? s.numBadEpochs : 0;
      cooldownCounter = typeof s.cooldownCounter === 'number' ? s.cooldownCounter : 0;
    },
  };
}

/**
 * Learning-rate schedules as callbacks, with PyTorch's epoch-wise semantics:
 * `step` (StepLR), `cosine` (CosineAnnealingLR) and `reduceOnPlateau`
 * (ReduceLROnPlateau). `step` and `cosine` scale the base learning rate (the
 * optimiser's, or the fine-tuning lr after unfreezing) at the start of each epoch.
 */
export const lrSchedule = { step, cosine, reduceOnPlateau } as const;

