import type { EpochLogs } from './types';

/**
 * Thrown by `train` when the loss or the gradient norm becomes NaN or
 * infinite. The offending update is not applied, checkpoints already written
 * are left untouched, and `lastCheckpoint` says where the last good one is.
 */
export class TrainingDivergedError extends Error {
  override readonly name = 'TrainingDivergedError';

  constructor(
    message: string,
    readonly epoch: number,
    readonly step: number,
    readonly history: EpochLogs[],
    readonly lastCheckpoint: string | null,
  ) {
    super(message);
  }
}
