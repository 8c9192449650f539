import type { BatchLogs, EpochLogs, TrainCallback, TrainContext, TrainMessage } from './types';

/** Where the logger writes; `process.stderr` and `process.stdout` fit. */
export interface LogStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options for `progressLogger`. */
export interface ProgressLoggerOptions {
  /** Default `process.stderr`. */
  stream?: LogStream;
  /**
   * `'auto'` (default): a progress bar on a terminal, plain text lines (one per epoch) otherwise.
   * `'jsonl'`: one JSON event per line, for machines; only when asked for, e.g. by `fracture --json`.
   */
  format?: 'auto' | 'bar' | 'lines' | 'jsonl';
  /** In JSON-lines mode, also write a `batch` line every this many steps (default: epochs only). */
  everySteps?: number;
  /** Minimum milliseconds between bar redraws (default 100). */
  throttleMs?: number;
  /**
   * In plain-text mode, also write a progress line (batch, loss, accuracy, throughput, ETA) at most this often
   * inside an epoch (default 60 seconds; 0: epoch lines only), so a log of a long epoch shows it is moving.
   */
  everySeconds?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * Shows training progress: a one-line progress bar with loss, accuracy,
 * throughput and ETA on a terminal, plain text lines when the stream is not a
 * terminal (a log file stays readable, with no carriage returns), or, with
 * `format: 'jsonl'`, one JSON object per line (events `message`, `epoch`,
 * optionally `batch`, `end`) for machines.
 */
export function progressLogger(options: ProgressLoggerOptions = {}): TrainCallback {
  const stream: LogStream = options.stream ?? process.stderr;
  const format = options.format === 'bar' || options.format === 'lines' || options.format === 'jsonl' ? options.format : stream.isTTY ? 'bar' : 'lines';
  const throttleMs = options.throttleMs ?? 100;
  const everySeconds = options.everySeconds ?? 60;
  if (!(Number.isFinite(everySeconds) && everySeconds >= 0)) {
    throw new Error(`progressLogger: everySeconds must be a number of seconds >= 0, got ${everySeconds}`);
  }
  const now = options.now ?? (() => Date.now());
  let epochs = 0;
  let numBatches: number | undefined;
  let epochStart = 0;
  // Batches and images since the epoch began in this process: a resumed epoch starts counting at its resume point.
  let counted = 0;
  let seen = 0;
  let lossSum = 0;
  let correct = 0;
  let lastDraw = -Infinity;
  let lastLine = 0;
  let barOpen = false;

  const json = (event: string, body: object) => stream.write(`${JSON.stringify({ event, ...body })}\n`);
  const closeBar = () => {
    if (barOpen) stream.write('\n');
    barOpen = false;
  };

  return {
    name: 'progressLogger',
    order: 200,
    onTrainBegin(ctx: TrainContext) {
      epochs = ctx.options.epochs;
    },
    onEpochBegin(epoch: number) {
      epochStart = now();
      lastLine = epochStart;
      counted = 0;
      seen = 0;
      lossSum = 0;
      correct = 0;
      lastDraw = -Infinity;
      if (format === 'bar') stream.write(`epoch ${epoch + 1}/${epochs}\n`);
    },
    onBatchEnd(logs: BatchLogs, ctx: TrainContext) {
      counted += 1;
      seen += logs.size;
      lossSum += logs.loss * logs.size;
      correct += logs.acc * logs.size;
      numBatches = numBatchesOf(ctx);
      if (format === 'jsonl') {
        if (options.everySteps && (logs.step + 1) % options.everySteps === 0) json('batch', { ...logs });
        return;
      }
      const t = now();
      const done = logs.batch + 1;
      const isLast = numBatches !== undefined && done >= numBatches;
      const seconds = (t - epochStart) / 1000;
      const rate = seconds > 0 ? seen / seconds : 0;
      // Images per batch from the batches this process saw, so that a resumed epoch's ETA is not understated.
      const eta = numBatches && rate > 0 ? ((numBatches - done) * (seen / counted)) / rate : undefined;
      // The epoch's running means from the trainer (a resumed epoch's earlier batches included), else this process's.
      const loss = logs.epochLoss ?? lossSum / seen;
      const acc = logs.epochAcc ?? correct / seen;
      const stats = () => `loss ${loss.toFixed(4)} acc ${acc.toFixed(3)} ${rate.toFixed(1)} img/s${eta !== undefined ? ` eta ${formatDuration(eta)}` : ''}`;
      if (format === 'lines') {
        if (everySeconds === 0 || isLast || t - lastLine < everySeconds * 1000) return;
        lastLine = t;
        stream.write(`epoch ${logs.epoch + 1}/${epochs}  batch ${numBatches ? `${done}/${numBatches}` : done}  ${stats()}\n`);
        return;
      }
      if (t - lastDraw < throttleMs && !isLast) return;
      lastDraw = t;
      const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 70));
      const fraction = numBatches ? Math.min(1, done / numBatches) : 0;
      const filled = Math.round(fraction * width);
      const bar = numBatches ? `[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${numBatches}` : `${done}`;
      stream.write(`\r  ${bar} ${stats()}\x1b[K`);
      barOpen = true;
    },
    onEpochEnd(logs: EpochLogs) {
      if (format === 'jsonl') {
        json('epoch', { ...logs, epoch: logs.epoch + 1, epochs });
        return;
      }
      closeBar();
      const parts = Object.entries(logs)
        .filter(([key, value]) => key !== 'epoch' && typeof value === 'number')
        .map(([key, value]) => `${key} ${formatNumber(value as number)}`);
      // Without a bar there was no "epoch i/n" header, so the line names its epoch.
      stream.write(format === 'lines' ? `epoch ${logs.epoch + 1}/${epochs}  ${parts.join('  ')}\n` : `  ${parts.join('  ')}\n`);
    },
    onTrainEnd(ctx: TrainContext, result) {
      if (format === 'jsonl') json('end', { stopReason: result.stopReason, epochs: ctx.history.length });
      else closeBar();
    },
    onMessage(message: TrainMessage) {
      if (format === 'jsonl') {
        json('message', message);
        return;
      }
      closeBar();
      stream.write(`${message.level === 'warn' ? 'warning: ' : ''}${message.text}\n`);
    },
  };
}

function numBatchesOf(ctx: TrainContext): number | undefined {
  return ctx.options.numBatches;
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) < 1e-3 ? value.toExponential(3) : value.toFixed(4);
}

/** Seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
