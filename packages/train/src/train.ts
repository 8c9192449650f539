import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel, LayerVariable } from '@tensorflow/tfjs-layers';
import { Adam, resolveAdamOptions, type AdamUpdate } from './adam';
import { explainKernelError, probeTrainingKernels, selectTrainingBackend } from './backend-select';
import { batchesFrom } from './batches-from';
import { loadWeightsInto, readCheckpoint, writeCheckpoint } from './checkpoint-io';
import { clipGradNorm, globalNorm } from './clip-grad-norm';
import { crossEntropyParts, validateLossOptions } from './cross-entropy';
import { defaultRng } from './default-rng';
import { earlyStopping } from './early-stopping';
import { evaluate } from './evaluate';
import { TrainingDivergedError } from './training-diverged-error';
import type {
  BatchLogs,
  BatchSource,
  CheckpointState,
  EpochLogs,
  InEpochPosition,
  JsonValue,
  ResolvedTrainOptions,
  StopReason,
  TrainCallback,
  TrainContext,
  TrainMessage,
  TrainOptions,
  TrainResult,
  TrainRng,
  TrainRngState,
} from './types';

interface StepStats {
  loss: number;
  correct: number;
  size: number;
  gradNorm: number;
}

/**
 * Trains a classifier that outputs logits with a custom loop: Adam or AdamW
 * with PyTorch's exact update, cross-entropy with optional label smoothing and
 * class weights, optional gradient clipping and gradient accumulation,
 * augmentation from a checkpointed seeded generator, validation every epoch,
 * callbacks, fine-tuning phases and exact resume from a checkpoint.
 *
 * Batch norm runs in training mode (`model.apply(x, { training: true })`), which
 * in tfjs-layers uses the batch statistics and updates the moving ones.
 */
export async function train(model: LayersModel, data: BatchSource, options: TrainOptions): Promise<TrainResult> {
  validateArguments(model, data, options);
  const resolved = resolveOptions(data, options);
  const callbacks = assembleCallbacks(options);
  const messageSinks = callbacks.filter((c) => c.onMessage);
  const log = (message: TrainMessage): void => {
    if (messageSinks.length > 0) for (const c of messageSinks) c.onMessage!(message);
    else if (!options.quiet) process.stderr.write(`${message.level === 'warn' ? 'warning: ' : ''}${message.text}\n`);
  };

  const backend = await selectTrainingBackend(resolved.backend);
  log({ level: 'info', text: `train: backend '${backend.name}' (${backend.reason})` });

  const makeRng = (seedOrState: number | TrainRngState): TrainRng =>
    (options.createRng ?? defaultRng)(seedOrState);
  const optimizer = new Adam(resolved.optimizer);
  const configHash = hashConfig(resolved);
  let rng = makeRng(resolved.seed);
  let history: EpochLogs[] = [];
  let startEpoch = 0;
  let step = 0;
  let lr = resolved.optimizer.lr;
  let baseLr = lr;
  let lastCheckpoint: string | null = null;
  // Where a checkpoint written during an epoch left off; the loop continues that epoch from there.
  let resumeInEpoch: InEpochPosition | null = null;
  // The running epoch's position and sums, while batches are being trained on (null between epochs).
  let current: (Omit<InEpochPosition, 'seconds'> & { secondsBefore: number; started: number }) | null = null;

  const originalTrainable = new Map(model.layers.map((layer) => [layer, layer.trainable]));
  const headLayers = resolveHeadLayers(model, options);

  try {
    if (options.resumeFrom) {
      const checkpoint = await readCheckpoint(options.resumeFrom);
      loadWeightsInto(model, checkpoint.weights, 'train');
      optimizer.restore(checkpoint.optimizer);
      const { state } = checkpoint;
      startEpoch = state.epoch + 1;
      step = state.step;
      history = state.history.slice();
      lr = state.lr;
      baseLr = state.baseLr;
      if (state.rng) rng = makeRng(state.rng);
      for (const c of callbacks) {
        const saved = state.callbacks[c.name];
        if (saved !== undefined && c.setState) c.setState(saved);
      }
      if (state.configHash !== configHash) {
        log({ level: 'warn', text: `train: ${checkpoint.dir} was written with different optimiser, loss or seed settings; results will differ from an uninterrupted run` });
      }
      lastCheckpoint = checkpoint.dir;
      if (state.inEpoch) {
        resumeInEpoch = checkInEpoch(state, checkpoint.dir, resolved.numBatches);
        const of = resolved.numBatches !== undefined ? ` of ${resolved.numBatches}` : '';
        log({ level: 'info', text: `train: resumed epoch ${resumeInEpoch.epoch + 1} after batch ${resumeInEpoch.batches}${of} from ${checkpoint.dir} (step ${step})` });
      } else {
        log({ level: 'info', text: `train: resumed from ${checkpoint.dir} after epoch ${state.epoch + 1} (step ${step})` });
      }
    }

    let epoch = startEpoch;
    let stopRequested: StopReason | null = null;
    const ctx: TrainContext = {
      model,
      options: resolved,
      get history() {
        return history;
      },
      get epoch() {
        return epoch;
      },
      get step() {
        return step;
      },
      get lr() {
        return lr;
      },
      set lr(value: number) {
        if (!(value >= 0) || !Number.isFinite(value)) throw new Error(`train: a callback set an invalid learning rate ${value}`);
        lr = value;
      },
      get baseLr() {
        return baseLr;
      },
      stop(reason: StopReason = 'callback') {
        stopRequested ??= reason;
      },
      get stopRequested() {
        return stopRequested;
      },
      async saveCheckpoint(dir: string) {
        const callbackStates: Record<string, JsonValue> = {};
        for (const c of callbacks) if (c.getState) callbackStates[c.name] = c.getState();
        const completed = history.length > 0 ? history[history.length - 1]!.epoch : epoch - 1;
        const inEpoch: InEpochPosition | undefined = current
          ? {
              epoch: current.epoch,
              batches: current.batches,
              lossSum: current.lossSum,
              correct: current.correct,
              seen: current.seen,
              seconds: current.secondsBefore + (Date.now() - current.started) / 1000,
            }
          : undefined;
        await writeCheckpoint(dir, {
          model,
          optimizer: optimizer.snapshot(),
          state: {
            epoch: inEpoch ? inEpoch.epoch - 1 : completed,
            ...(inEpoch ? { inEpoch } : {}),
            step,
            lr,
            baseLr,
            rng: rng.state(),
            history,
            callbacks: callbackStates,
            configHash,
          },
        });
        lastCheckpoint = path.resolve(dir);
      },
      log,
    };

    if (resolved.fineTune) applyPhase(model, headLayers, epoch < resolved.fineTune.headEpochs);
    if (options.probeKernels ?? true) {
      if (model.trainableWeights.length > 0) probeTrainingKernels(model, backend.name);
    }

    for (const c of callbacks) await c.onTrainBegin?.(ctx);

    let firstBatchOfRun = true;
    for (; epoch < resolved.epochs && stopRequested === null; epoch++) {
      const resumed = resumeInEpoch?.epoch === epoch ? resumeInEpoch : null;
      resumeInEpoch = null;
      if (resolved.fineTune) {
        const frozen = epoch < resolved.fineTune.headEpochs;
        applyPhase(model, headLayers, frozen);
        // Inside a resumed epoch the unfreezing already happened: the checkpoint holds its lr and baseLr.
        if (epoch === resolved.fineTune.headEpochs && !resumed) {
          baseLr = resolved.fineTune.unfreezeLr ?? resolved.optimizer.lr / 10;
          lr = baseLr;
          log({ level: 'info', text: `train: fine-tuning: backbone unfrozen at epoch ${epoch + 1}, lr ${baseLr}` });
        }
      }
      const lrAtCheckpoint = lr;
      for (const c of callbacks) await c.onEpochBegin?.(epoch, ctx);
      // The checkpoint's lr is the one of its step, whatever a callback set at the epoch's start.
      if (resumed) lr = lrAtCheckpoint;
      const started = Date.now();
      let lossSum = resumed?.lossSum ?? 0;
      let correctSum = resumed?.correct ?? 0;
      let seen = resumed?.seen ?? 0;
      let batchIndex = resumed?.batches ?? 0;
      current = { epoch, batches: batchIndex, lossSum, correct: correctSum, seen, secondsBefore: resumed?.seconds ?? 0, started };
      const batches = resumed ? batchesFrom(data, epoch, resumed.batches, 'train') : data.batches(epoch);
      for await (const batch of batches) {
        let stats: StepStats | 'diverged';
        const checkShapes = firstBatchOfRun;
        firstBatchOfRun = false;
        if (options.augment && checkShapes) warnIfNormalised(batch.xs, log);
        try {
          stats = runStep(model, optimizer, batch.xs, batch.ys, options, resolved, rng, lr, backend.name, checkShapes);
        } finally {
          tf.dispose([batch.xs, batch.ys]);
        }
        if (stats === 'diverged') {
          const where = `epoch ${epoch + 1}, batch ${batchIndex + 1} (step ${step + 1})`;
          const kept = lastCheckpoint ? `the last good checkpoint is ${lastCheckpoint}` : 'no checkpoint had been written';
          const message = `train: the loss or gradient became NaN or infinite at ${where}; training stopped before applying that update, ${kept}. Lower the learning rate or enable clipGradNorm.`;
          log({ level: 'warn', text: message });
          for (const c of callbacks) await c.onTrainEnd?.(ctx, { stopReason: 'diverged' });
          throw new TrainingDivergedError(message, epoch, step, history.slice(), lastCheckpoint);
        }
        step += 1;
        lossSum += stats.loss * stats.size;
        correctSum += stats.correct;
        seen += stats.size;
        Object.assign(current, { batches: batchIndex + 1, lossSum, correct: correctSum, seen });
        const batchLogs: BatchLogs = {
          epoch,
          batch: batchIndex,
          step: step - 1,
          loss: stats.loss,
          acc: stats.correct / stats.size,
          size: stats.size,
          lr,
          gradNorm: stats.gradNorm,
          epochLoss: lossSum / seen,
          epochAcc: correctSum / seen,
        };
        for (const c of callbacks) await c.onBatchEnd?.(batchLogs, ctx);
        batchIndex += 1;
      }
      // Checkpoints from here on (onEpochEnd) are of the finished epoch.
      const secondsBefore = current.secondsBefore;
      current = null;
      if (seen === 0) throw new Error(`train: the data source yielded no batches for epoch ${epoch + 1}`);
      const logs: EpochLogs = { epoch, loss: lossSum / seen, acc: correctSum / seen, lr, seconds: 0 };
      if (options.validationData) {
        const validationStarted = Date.now();
        const val = await evaluate(model, options.validationData, { loss: resolved.loss, epoch: 0 });
        logs.val_loss = val.loss;
        logs.val_acc = val.accuracy;
        logs.val_seconds = (Date.now() - validationStarted) / 1000;
      }
      logs.seconds = secondsBefore + (Date.now() - started) / 1000;
      history.push(logs);
      for (const c of callbacks) await c.onEpochEnd?.(logs, ctx);
    }

    const stopReason: StopReason = stopRequested ?? 'completed';
    for (const c of callbacks) await c.onTrainEnd?.(ctx, { stopReason });
    return { history, epochs: history.length, steps: step, stopReason, backend: backend.name };
  } finally {
    for (const [layer, trainable] of originalTrainable) layer.trainable = trainable;
    for (const c of callbacks) c.dispose?.();
    optimizer.dispose();
  }
}

/** Refuses an in-epoch position that cannot belong to this checkpoint or this data source. */
function checkInEpoch(state: CheckpointState, dir: string, numBatches: number | undefined): InEpochPosition {
  const position = state.inEpoch!;
  const sums = [position.lossSum, position.correct, position.seen, position.seconds];
  if (position.epoch !== state.epoch + 1 || !(Number.isInteger(position.batches) && position.batches >= 0) || !sums.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error(`train: ${dir}: the position inside the epoch in state.json is inconsistent (epoch ${position.epoch}, batch ${position.batches}, last completed epoch ${state.epoch})`);
  }
  if (numBatches !== undefined && position.batches > numBatches) {
    throw new Error(
      `train: ${dir} was written after batch ${position.batches} of epoch ${position.epoch + 1}, but the data source has ${numBatches} batches per epoch; it is not a checkpoint of this data`,
    );
  }
  return position;
}

/** One optimisation step on a batch, accumulating micro-batch gradients when asked. */
function runStep(
  model: LayersModel,
  optimizer: Adam,
  batchXs: tf.Tensor,
  batchYs: tf.Tensor,
  options: TrainOptions,
  resolved: ResolvedTrainOptions,
  rng: TrainRng,
  lr: number,
  backend: string,
  checkShapes: boolean,
): StepStats | 'diverged' {
  if (checkShapes) checkBatch(model, batchXs, batchYs);
  const size = batchXs.shape[0]!;
  const trainable = model.trainableWeights as LayerVariable[];
  const variables = trainable.map((w) => w.read() as tf.Variable);
  const microSize = resolved.microBatchSize ?? (resolved.accumulationSteps ? Math.ceil(size / resolved.accumulationSteps) : size);

  let xs: tf.Tensor = batchXs;
  let grads: (tf.Tensor | null)[] = variables.map(() => null);
  let lossTotal: tf.Tensor | null = null;
  let correctTotal: tf.Tensor | null = null;
  try {
    if (options.augment) xs = tf.tidy(() => options.augment!(batchXs as tf.Tensor4D, rng));
    // The whole batch's weight total, so micro-batch losses add up to the batch loss exactly.
    const denominator = tf.tidy(() => {
      const ys = tf.cast(batchYs, 'float32');
      const weights = resolved.loss.classWeights;
      return weights ? tf.sum(tf.mul(ys, tf.tensor1d([...weights]))) : tf.sum(ys);
    });
    try {
      for (let start = 0; start < size; start += microSize) {
        const count = Math.min(microSize, size - start);
        const microXs = count === size ? xs : tf.slice(xs, start, count);
        const microYs = count === size ? batchYs : tf.slice(batchYs, start, count);
        const hits: { correct: tf.Tensor | null } = { correct: null };
        try {
          const { value, grads: named } = tf.variableGrads(() => {
            const logits = model.apply(microXs, { training: true }) as tf.Tensor;
            hits.correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(microYs, 1)), 'float32')));
            const { numerator } = crossEntropyParts(logits, microYs, resolved.loss);
            return tf.div(numerator, denominator) as tf.Scalar;
          }, variables);
          grads = variables.map((v, i) => {
            const g = named[v.name];
            const previous = grads[i] ?? null;
            if (!g) return previous;
            if (!previous) return g;
            const sum = tf.add(previous, g);
            tf.dispose([previous, g]);
            return sum;
          });
          lossTotal = accumulate(lossTotal, value);
          correctTotal = accumulate(correctTotal, hits.correct!);
        } finally {
          if (microXs !== xs) microXs.dispose();
          if (microYs !== batchYs) microYs.dispose();
        }
      }
    } finally {
      denominator.dispose();
    }

    const present = grads.map((g, i) => (g ? i : -1)).filter((i) => i >= 0);
    let finalGrads = present.map((i) => grads[i]!);
    let norm: tf.Scalar;
    if (resolved.clipGradNorm !== undefined) {
      const clipped = clipGradNorm(finalGrads, resolved.clipGradNorm);
      finalGrads = clipped.grads;
      norm = clipped.norm;
    } else {
      norm = globalNorm(finalGrads);
    }
    const summary = tf.tidy(() => tf.stack([lossTotal!, correctTotal!, norm]));
    const [loss, correct, gradNorm] = summary.dataSync();
    tf.dispose([summary, norm]);
    try {
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) return 'diverged';
      const updates: AdamUpdate[] = present.map((i, k) => ({ name: trainable[i]!.originalName, variable: variables[i]!, grad: finalGrads[k]! }));
      optimizer.step(updates, lr);
    } finally {
      if (resolved.clipGradNorm !== undefined) tf.dispose(finalGrads);
    }
    return { loss: loss!, correct: correct!, size, gradNorm: gradNorm! };
  } catch (error) {
    throw explainKernelError(error, backend) ?? error;
  } finally {
    tf.dispose(grads.filter((g): g is tf.Tensor => g !== null));
    if (lossTotal) (lossTotal as tf.Tensor).dispose();
    if (correctTotal) (correctTotal as tf.Tensor).dispose();
    if (xs !== batchXs) xs.dispose();
  }
}

function accumulate(total: tf.Tensor | null, value: tf.Tensor): tf.Tensor {
  if (!total) return value;
  const sum = tf.add(total, value);
  tf.dispose([total, value]);
  return sum;
}

function checkBatch(model: LayersModel, xs: tf.Tensor, ys: tf.Tensor): void {
  if (ys.rank !== 2) throw new Error(`train: expected one-hot labels of rank 2 [N, numClasses], got rank ${ys.rank}`);
  if (xs.shape[0] !== ys.shape[0]) throw new Error(`train: batch has ${xs.shape[0]} images but ${ys.shape[0]} labels`);
  const outputShape = model.outputs[0]!.shape;
  const numClasses = outputShape[outputShape.length - 1];
  if (typeof numClasses === 'number' && numClasses !== ys.shape[1]) {
    throw new Error(`train: the model outputs ${numClasses} classes, the labels have ${ys.shape[1]}`);
  }
  const inputShape = model.inputs[0]!.shape;
  if (inputShape.length !== xs.rank || inputShape.some((d, i) => i > 0 && d !== null && d !== xs.shape[i])) {
    throw new Error(`train: the model expects input [${inputShape.map((d) => d ?? 'N')}], the batch is [${xs.shape}]`);
  }
}

function validateArguments(model: LayersModel, data: BatchSource, options: TrainOptions): void {
  if (!model || typeof model.apply !== 'function' || !Array.isArray(model.weights)) {
    throw new Error('train: expected a tfjs-layers LayersModel as the first argument');
  }
  if (!data || typeof data.batches !== 'function') {
    throw new Error('train: expected a data source with a batches(epoch) method, such as createBatchLoader() from @fracture/preprocess');
  }
  if (!options || !Number.isInteger(options.epochs) || options.epochs < 1) {
    throw new Error(`train: expected options.epochs, an integer >= 1, got ${options?.epochs}`);
  }
  if (options.batchSize !== undefined && data.batchSize !== undefined && options.batchSize !== data.batchSize) {
    throw new Error(`train: options.batchSize is ${options.batchSize} but the data source yields batches of ${data.batchSize}`);
  }
  if (options.microBatchSize !== undefined && options.accumulationSteps !== undefined) {
    throw new Error('train: give either microBatchSize or accumulationSteps, not both');
  }
  for (const key of ['microBatchSize', 'accumulationSteps'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) throw new Error(`train: expected ${key} to be an integer >= 1, got ${value}`);
  }
  if (options.clipGradNorm !== undefined && !(options.clipGradNorm > 0)) {
    throw new Error(`train: expected clipGradNorm > 0, got ${options.clipGradNorm}`);
  }
  if (options.fineTune && !(Number.isInteger(options.fineTune.headEpochs) && options.fineTune.headEpochs >= 0)) {
    throw new Error(`train: expected fineTune.headEpochs to be an integer >= 0, got ${options.fineTune.headEpochs}`);
  }
  validateLossOptions(options.loss ?? {}, undefined, 'train');
}

function resolveOptions(data: BatchSource, options: TrainOptions): ResolvedTrainOptions {
  const resolvedAdam = resolveAdamOptions(options.optimizer);
  return {
    epochs: options.epochs,
    batchSize: options.batchSize ?? data.batchSize,
    optimizer: resolvedAdam,
    loss: { labelSmoothing: options.loss?.labelSmoothing ?? 0, classWeights: options.loss?.classWeights },
    clipGradNorm: options.clipGradNorm,
    microBatchSize: options.microBatchSize,
    accumulationSteps: options.accumulationSteps,
    seed: options.seed ?? 0,
    fineTune: options.fineTune,
    keep: options.keep ?? 'last',
    backend: options.backend ?? 'auto',
    numBatches: data.numBatches,
  };
}

function assembleCallbacks(options: TrainOptions): TrainCallback[] {
  const list = [...(options.callbacks ?? [])];
  if (options.earlyStopping) {
    list.push(earlyStopping({ restoreBestWeights: options.keep === 'best', ...options.earlyStopping }));
  } else if (options.keep === 'best') {
    // Keeping the best epoch without stopping early: an early stopper that never triggers.
    list.push(earlyStopping({ patience: Number.MAX_SAFE_INTEGER, restoreBestWeights: true }));
  }
  const seen = new Map<string, number>();
  const named = list.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return n === 1 ? c : { ...c, name: `${c.name}#${n}` };
  });
  // Stable sort: equal orders keep the user's order.
  return named.map((c, i) => ({ c, i })).sort((a, b) => (a.c.order ?? 0) - (b.c.order ?? 0) || a.i - b.i).map(({ c }) => c);
}

function resolveHeadLayers(model: LayersModel, options: TrainOptions): Set<string> {
  if (!options.fineTune) return new Set();
  if (options.fineTune.headLayers && options.fineTune.headLayers.length > 0) {
    for (const name of options.fineTune.headLayers) {
      if (!model.layers.some((l) => l.name === name)) throw new Error(`train: fineTune.headLayers names '${name}', which is not a layer of the model`);
    }
    return new Set(options.fineTune.headLayers);
  }
  const withWeights = model.layers.filter((l) => l.weights.length > 0);
  const last = withWeights[withWeights.length - 1];
  if (!last) throw new Error('train: fineTune needs a model with at least one layer that has weights');
  return new Set([last.name]);
}

/** Freezes every layer with weights outside the head, or unfreezes all. */
function applyPhase(model: LayersModel, head: Set<string>, frozen: boolean): void {
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    layer.trainable = frozen ? head.has(layer.name) : true;
  }
}

function hashConfig(resolved: ResolvedTrainOptions): string {
  const { lr: _lr, ...optimizer } = resolved.optimizer;
  const relevant = {
    optimizer,
    loss: resolved.loss,
    clip: resolved.clipGradNorm ?? null,
    micro: resolved.microBatchSize ?? resolved.accumulationSteps ?? null,
    seed: resolved.seed,
    batchSize: resolved.batchSize ?? null,
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}

/**
 * `augment` sees the batch as the source yields it; `createBatchLoader` yields it normalised (mean / std), where
 * pixel-domain transforms (colour jitter, CLAHE, equalisation) clamp to [0, 1] and silently destroy the image.
 * Checked once, on the first batch: one extra read of two scalars.
 */
function warnIfNormalised(xs: tf.Tensor, log: (message: TrainMessage) => void): void {
  const [min, max] = tf.tidy(() => [tf.min(xs), tf.max(xs)]).map((t) => {
    const value = t.dataSync()[0]!;
    t.dispose();
    return value;
  });
  if (min! < -1e-6 || max! > 1 + 1e-6) {
    log({
      level: 'warn',
      text:
        `train: augment receives batches outside [0, 1] (values ${min!.toFixed(3)} to ${max!.toFixed(3)}), i.e. already normalised; ` +
        "pixel-domain transforms (colour jitter, CLAHE, equalisation) clamp such values. Pass them to createBatchLoader's `transform`, which runs before normalisation.",
    });
  }
}
