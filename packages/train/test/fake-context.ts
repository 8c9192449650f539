import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { EpochLogs, ResolvedTrainOptions, StopReason, TrainContext, TrainMessage } from '../src/types';

/** A minimal TrainContext for driving callbacks by hand. */
export function fakeContext(overrides: { model?: LayersModel; lr?: number; epochs?: number; numBatches?: number } = {}) {
  const messages: TrainMessage[] = [];
  const saved: string[] = [];
  const history: EpochLogs[] = [];
  let stopRequested: StopReason | null = null;
  const options: ResolvedTrainOptions = {
    epochs: overrides.epochs ?? 10,
    optimizer: { type: 'adam', lr: overrides.lr ?? 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false },
    loss: { labelSmoothing: 0 },
    seed: 0,
    keep: 'last',
    backend: 'current',
    numBatches: overrides.numBatches,
  };
  const ctx: TrainContext & { messages: TrainMessage[]; saved: string[] } = {
    model: overrides.model ?? ({} as LayersModel),
    options,
    history,
    epoch: 0,
    step: 0,
    lr: overrides.lr ?? 0.1,
    baseLr: overrides.lr ?? 0.1,
    stop(reason: StopReason = 'callback') {
      stopRequested ??= reason;
    },
    get stopRequested() {
      return stopRequested;
    },
    async saveCheckpoint(dir: string) {
      saved.push(dir);
    },
    log(message: TrainMessage) {
      messages.push(message);
    },
    messages,
    saved,
  };
  return ctx;
}

export function epochLogs(epoch: number, metrics: Partial<EpochLogs>): EpochLogs {
  return { epoch, loss: 1, acc: 0.5, lr: 0.1, seconds: 1, ...metrics };
}
