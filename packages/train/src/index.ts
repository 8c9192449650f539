/**
 * @fracture/train: a training loop for fracture classifiers that can run for
 * hours without losing anything. Adam and AdamW with PyTorch's exact update
 * and checkpointable state, cross-entropy with label smoothing and class
 * weights, gradient clipping and accumulation, composable callbacks (early
 * stopping with best-weight restore, atomic checkpoints, learning-rate
 * schedules, a progress bar or JSON lines, history files), exact resume,
 * fine-tuning phases, backend selection with clear messages for missing
 * kernels, and presets reproducing the study's training.
 *
 * @packageDocumentation
 */

export { train } from './train';
export { evaluate } from './evaluate';
export { predictBatches } from './predict-batches';
export type { BatchPredictions } from './predict-batches';
export type { EvaluationResult } from './evaluate';
export { Adam, resolveAdamOptions } from './adam';
export type { AdamManifest, AdamSnapshot, AdamUpdate } from './adam';
export { crossEntropyLoss, crossEntropyParts } from './cross-entropy';
export type { CrossEntropyParts } from './cross-entropy';
export { clipGradNorm, globalNorm } from './clip-grad-norm';
export { earlyStopping } from './early-stopping';
export { modelCheckpoint } from './model-checkpoint';
export type { ModelCheckpointOptions } from './model-checkpoint';
export { lrSchedule, stepLr, cosineLr } from './lr-schedule';
export type { CosineScheduleOptions, ReduceOnPlateauOptions, StepScheduleOptions } from './lr-schedule';
export { progressLogger, formatDuration } from './progress-logger';
export type { LogStream, ProgressLoggerOptions } from './progress-logger';
export { historyWriter, historyToCsv } from './history-writer';
export type { HistoryWriterOptions } from './history-writer';
export { paperPreset } from './paper-preset';
export type { PaperModelName, PaperPreset } from './paper-preset';
export { tensorBatchSource } from './tensor-batch-source';
export type { TensorBatchSourceOptions } from './tensor-batch-source';
export {
  readCheckpoint,
  readCheckpointState,
  writeCheckpoint,
  resolveCheckpointDir,
  loadWeightsInto,
  removeStaleCheckpointFiles,
  discardCheckpoint,
  CHECKPOINT_FILES,
  MID_EPOCH_CHECKPOINT,
} from './checkpoint-io';
export type { LoadedCheckpoint } from './checkpoint-io';
export { selectTrainingBackend, probeTrainingKernels, explainKernelError } from './backend-select';
export type { TrainingBackend } from './backend-select';
export { TrainingDivergedError } from './training-diverged-error';
export type * from './types';
