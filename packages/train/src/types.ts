import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Rng } from '@fracture/preprocess';

/** The full state of a seeded generator, as `Rng.state()` in @fracture/preprocess returns it. */
export interface TrainRngState {
  words: [number, number, number, number];
}

/**
 * The augmentation generator: @fracture/preprocess's `Rng`, whole, because the transforms `augment` runs
 * (`compose([...])`, `transforms.*`) draw with `uniform`, `int` and `normal`, and checkpoints save its `state()`.
 */
export type TrainRng = Rng;

/** One batch: images `[N, H, W, C]` and one-hot (or soft) labels `[N, numClasses]`. The trainer disposes both. */
export interface TrainBatch {
  xs: tf.Tensor;
  ys: tf.Tensor;
  items?: readonly unknown[];
}

/** Options of `BatchSource.batches`. */
export interface BatchesOptions {
  /**
   * Yield the epoch's batches from this 0-based index on, exactly as batches `startBatch`, `startBatch + 1`, ... of
   * an iteration from 0 (a resume inside an epoch). Only honoured by sources that declare `supportsStartBatch`.
   */
  startBatch?: number;
}

/**
 * Anything that yields batches per epoch; `BatchLoader` from @fracture/preprocess
 * fits. `batches(epoch)` must be deterministic in `epoch` for resume to
 * reproduce an uninterrupted run.
 */
export interface BatchSource {
  batches(epoch?: number, options?: BatchesOptions): AsyncIterable<TrainBatch> | Iterable<TrainBatch>;
  /**
   * True when `batches(epoch, { startBatch })` starts at that batch without producing the earlier ones. Sources
   * without it are resumed inside an epoch by drawing and disposing the first batches (same result, slower).
   */
  readonly supportsStartBatch?: boolean;
  readonly batchSize?: number;
  readonly numBatches?: number;
  readonly size?: number;
}

/** An augmentation applied to each training batch, as `Transform` in @fracture/preprocess. */
export type BatchTransform = (xs: tf.Tensor4D, rng: TrainRng) => tf.Tensor;

/** Adam / AdamW settings; defaults are torch.optim.Adam's. */
export interface AdamOptions {
  type?: 'adam';
  /** Learning rate (default 0.001). */
  lr?: number;
  beta1?: number;
  beta2?: number;
  /** Added to the denominator, after the bias-corrected square root, as PyTorch does (default 1e-8). */
  eps?: number;
  /** Weight decay (default 0). Applied to every trainable parameter, batch-norm and biases included, as PyTorch. */
  weightDecay?: number;
  /**
   * `false` (default): PyTorch `Adam(weight_decay)` — wd * w is added to the gradient before the moments.
   * `true`: `AdamW` — w is multiplied by (1 - lr * wd) before the Adam step.
   */
  decoupled?: boolean;
}

/** Cross-entropy settings, with PyTorch `CrossEntropyLoss` semantics. */
export interface LossOptions {
  /** Label smoothing in [0, 1) as `CrossEntropyLoss(label_smoothing)`. */
  labelSmoothing?: number;
  /** Per-class weights as `CrossEntropyLoss(weight)`: the batch loss is sum(w_i l_i) / sum(w_i). */
  classWeights?: readonly number[];
}

/** Metrics for one epoch; the keys are what callbacks can monitor. */
export interface EpochLogs {
  epoch: number;
  loss: number;
  acc: number;
  val_loss?: number;
  val_acc?: number;
  lr: number;
  /** Wall time of the epoch, validation included. */
  seconds: number;
  /** Wall time of the epoch's validation pass, so throughput can be computed on training alone. */
  val_seconds?: number;
  [metric: string]: number | undefined;
}

/** Metrics for one optimisation step. */
export interface BatchLogs {
  epoch: number;
  /** Index of the batch within the epoch. */
  batch: number;
  /** Global step count since the start of training (resumes included). */
  step: number;
  loss: number;
  acc: number;
  size: number;
  lr: number;
  gradNorm: number;
  /**
   * Mean loss and accuracy over the epoch's batches so far, those before a resume included (the trainer restores
   * their sums from the checkpoint). Absent when a callback is driven by something other than `train`.
   */
  epochLoss?: number;
  epochAcc?: number;
}

/** A message the trainer wants a human to see (backend choice, resume point, phase changes). */
export interface TrainMessage {
  level: 'info' | 'warn';
  text: string;
}

/** JSON-serialisable value, for callback state stored in checkpoints. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a callback sees and may change while training runs. */
export interface TrainContext {
  readonly model: LayersModel;
  readonly options: Readonly<ResolvedTrainOptions>;
  readonly history: EpochLogs[];
  /** The epoch being run (0-based). */
  readonly epoch: number;
  readonly step: number;
  /** The learning rate used for the next step; schedules set it. */
  lr: number;
  /** The learning rate a schedule starts from (the optimiser's lr, or the fine-tuning lr after unfreezing). */
  readonly baseLr: number;
  /** Asks the trainer to stop after the current epoch. */
  stop(reason?: StopReason): void;
  /** Why a stop was requested, or null. */
  readonly stopRequested: StopReason | null;
  /**
   * Writes a full checkpoint (model, optimiser, epoch, RNG, history, callbacks) atomically into `dir`. Called during
   * an epoch (from `onEpochBegin` or `onBatchEnd`), it also records the position in the epoch, so a resume continues
   * that epoch at the next batch.
   */
  saveCheckpoint(dir: string): Promise<void>;
  /** Shows a message through the callbacks that display messages (or stderr). */
  log(message: TrainMessage): void;
}

/**
 * A training callback. All hooks are optional and may be async. Callbacks with
 * state that matters for resume implement `getState` / `setState` (stored in the
 * checkpoint under `name`).
 */
export interface TrainCallback {
  /** Key of the callback's state in checkpoints; unique within a run. */
  readonly name: string;
  /** Callbacks run in ascending order (default 0); checkpointing runs at 100 so it saves everyone's updated state, loggers at 200. */
  readonly order?: number;
  onTrainBegin?(ctx: TrainContext): void | Promise<void>;
  /**
   * Also runs again for the epoch a resume continues inside of, so it must be idempotent for an epoch (the
   * schedules are: they set the lr from the epoch); the checkpoint's lr is restored after it.
   */
  onEpochBegin?(epoch: number, ctx: TrainContext): void | Promise<void>;
  onBatchEnd?(logs: BatchLogs, ctx: TrainContext): void | Promise<void>;
  onEpochEnd?(logs: EpochLogs, ctx: TrainContext): void | Promise<void>;
  onTrainEnd?(ctx: TrainContext, result: { stopReason: StopReason }): void | Promise<void>;
  /** Receives human-readable messages; if no callback has this hook, the trainer writes to stderr. */
  onMessage?(message: TrainMessage): void;
  getState?(): JsonValue;
  setState?(state: JsonValue): void;
  /** Releases tensors the callback holds. */
  dispose?(): void;
}

/** Freeze the backbone, train the head, then unfreeze everything with a lower learning rate. */
export interface FineTuneOptions {
  /** Epochs with only the head trainable. */
  headEpochs: number;
  /** Names of the head's layers; default: the last layer that has weights. */
  headLayers?: readonly string[];
  /** Learning rate after unfreezing (default: the optimiser lr / 10). */
  unfreezeLr?: number;
}

/** Backends `train` can select; `'current'` keeps whatever tfjs already uses. */
export type TrainBackend = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' | 'current';

/** Early stopping options (see `earlyStopping`). */
export interface EarlyStoppingOptions {
  monitor?: string;
  mode?: 'min' | 'max' | 'auto';
  patience?: number;
  minDelta?: number;
  restoreBestWeights?: boolean;
}

/** Options for `train`. */
export interface TrainOptions {
  epochs: number;
  /** Checked against the data source's batch size when it declares one. */
  batchSize?: number;
  optimizer?: AdamOptions;
  loss?: LossOptions;
  /** Clip gradients to this global L2 norm, as `torch.nn.utils.clip_grad_norm_`. */
  clipGradNorm?: number;
  /** Split each batch into micro-batches of this size and accumulate gradients (the wasm heap needs it for big models). */
  microBatchSize?: number;
  /** Split each batch into this many micro-batches (alternative to `microBatchSize`). */
  accumulationSteps?: number;
  /**
   * Augmentation applied to every training batch with the trainer's seeded generator, e.g. `compose([...])`. It
   * receives the batch as the source yields it: normalised, for `createBatchLoader` with `mean` / `std`. Pixel-domain
   * steps (colour jitter, CLAHE) need [0, 1] images and belong in `createBatchLoader`'s `transform` instead; the
   * trainer warns when `augment` gets values outside [0, 1].
   */
  augment?: BatchTransform;
  /** Seed of the augmentation generator (default 0). */
  seed?: number;
  /** Creates the augmentation generator from a seed or a checkpointed state; default: @fracture/preprocess's. */
  createRng?: (seedOrState: number | TrainRngState) => TrainRng;
  validationData?: BatchSource;
  callbacks?: TrainCallback[];
  /** Shorthand for adding `earlyStopping(options)`; `false` or absent: none. */
  earlyStopping?: EarlyStoppingOptions | false;
  /** Which weights the model has at the end: the last epoch's (default) or the best monitored one. */
  keep?: 'last' | 'best';
  fineTune?: FineTuneOptions;
  /**
   * A checkpoint folder, or a `modelCheckpoint` directory (its `last` or `mid-epoch`, whichever is further ahead), to
   * continue from; a mid-epoch checkpoint continues its epoch at the next batch.
   */
  resumeFrom?: string;
  /** Backend to train on (default `'auto'`: tfjs-node-gpu, tfjs-node, wasm, cpu). `FRACTURE_BACKEND` overrides `'auto'`. */
  backend?: TrainBackend;
  /** Run one tiny forward and backward pass before training to report missing kernels clearly (default true). */
  probeKernels?: boolean;
  /** Suppress the messages written to stderr when no callback displays them. */
  quiet?: boolean;
}

/** `TrainOptions` with defaults filled in. */
export interface ResolvedTrainOptions {
  epochs: number;
  batchSize?: number;
  optimizer: Required<AdamOptions>;
  loss: { labelSmoothing: number; classWeights?: readonly number[] };
  clipGradNorm?: number;
  microBatchSize?: number;
  accumulationSteps?: number;
  seed: number;
  fineTune?: FineTuneOptions;
  keep: 'last' | 'best';
  backend: TrainBackend;
  /** Batches per epoch, when the data source declares it. */
  numBatches?: number;
}

/** Why training ended. */
export type StopReason = 'completed' | 'early-stopping' | 'callback' | 'diverged';

/** What `train` returns. */
export interface TrainResult {
  history: EpochLogs[];
  /** Number of epochs run in total (resumed ones included). */
  epochs: number;
  steps: number;
  stopReason: StopReason;
  /** The backend training ran on. */
  backend: string;
}

/**
 * Where a checkpoint written during an epoch stands in it, with the epoch's running sums so far, so the resumed
 * epoch's logs are those of an uninterrupted one.
 */
export interface InEpochPosition {
  /** The epoch under way (0-based): the checkpoint's `epoch` + 1. */
  epoch: number;
  /** Batches of that epoch already trained on; a resume starts at this batch index. */
  batches: number;
  /** Sum over those batches of loss * batch size. */
  lossSum: number;
  /** Correctly classified images so far. */
  correct: number;
  /** Images seen so far. */
  seen: number;
  /** Training time of the epoch so far, in seconds (time of the stop itself excluded). */
  seconds: number;
}

/** Contents of `state.json` in a checkpoint folder. */
export interface CheckpointState {
  format: 'fracture-train-checkpoint';
  version: 1;
  /** Last completed epoch (0-based; -1 before the first one ends). */
  epoch: number;
  /** Present when the checkpoint was written during an epoch (absent in older checkpoints and at epoch ends). */
  inEpoch?: InEpochPosition;
  step: number;
  lr: number;
  baseLr: number;
  rng: TrainRngState | null;
  history: EpochLogs[];
  callbacks: Record<string, JsonValue>;
  /** Hash of the options that must match on resume (optimiser, loss, seed, batch size). */
  configHash: string;
  savedAt: string;
  /** Byte sizes, to detect truncated files. */
  files: Record<string, number>;
}
