import { epochLogs, fakeContext } from '../test/fake-context';
import { formatDuration, progressLogger } from './progress-logger';
import type { BatchLogs } from './types';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 100, write: (text: string) => void chunks.push(text) };
}

const batch = (b: number): BatchLogs => ({ epoch: 0, batch: b, step: b, loss: 0.5, acc: 0.75, size: 4, lr: 0.01, gradNorm: 1 });

describe('progressLogger', () => {
  test('writes JSON lines only when asked for', () => {
    const out = stream(false);
    const logger = progressLogger({ stream: out, format: 'jsonl', everySteps: 2 });
    const ctx = fakeContext({ epochs: 2, numBatches: 4 });
    logger.onTrainBegin?.(ctx);
    logger.onMessage?.({ level: 'info', text: "train: backend 'cpu'" });
    logger.onEpochBegin?.(0, ctx);
    for (let b = 0; b < 4; b++) logger.onBatchEnd?.(batch(b), ctx);
    logger.onEpochEnd?.(epochLogs(0, { loss: 0.5, val_loss: 0.6 }), ctx);
    logger.onTrainEnd?.(ctx, { stopReason: 'completed' });
    const lines = out.chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.event)).toEqual(['message', 'batch', 'batch', 'epoch', 'end']);
    expect(lines[3]).toMatchObject({ event: 'epoch', epoch: 1, epochs: 2, loss: 0.5, val_loss: 0.6 });
    expect(lines[1]).toMatchObject({ step: 1, loss: 0.5 });
  });

  test('draws a bar with throughput and ETA on a terminal', () => {
    const out = stream(true);
    let t = 0;
    const logger = progressLogger({ stream: out, now: () => t, throttleMs: 0 });
    const ctx = fakeContext({ epochs: 1, numBatches: 4 });
    logger.onTrainBegin?.(ctx);
    logger.onEpochBegin?.(0, ctx);
    t = 1000;
    logger.onBatchEnd?.(batch(0), ctx);
    // 4 images in 1 s: 4 img/s; 3 batches of 4 images left: 3 s.
    const line = out.chunks.at(-1)!;
    expect(line.startsWith('\r')).toBe(true);
    expect(line).toContain('1/4');
    expect(line).toContain('4.0 img/s');
    expect(line).toContain('eta 0:03');
    logger.onEpochEnd?.(epochLogs(0, { loss: 0.25 }), ctx);
    expect(out.chunks.join('')).toContain('loss 0.2500');
  });

  test('writes plain text lines, not JSON, when the stream is not a terminal', () => {
    const out = stream(false);
    const logger = progressLogger({ stream: out });
    const ctx = fakeContext({ epochs: 2, numBatches: 4 });
    logger.onTrainBegin?.(ctx);
    logger.onMessage?.({ level: 'warn', text: 'slow disk' });
    logger.onEpochBegin?.(0, ctx);
    for (let b = 0; b < 4; b++) logger.onBatchEnd?.(batch(b), ctx);
    logger.onEpochEnd?.(epochLogs(0, { loss: 0.5, val_loss: 0.625 }), ctx);
    logger.onTrainEnd?.(ctx, { stopReason: 'completed' });
    const text = out.chunks.join('');
    expect(text).not.toContain('{');
    expect(text).not.toContain('\r');
    expect(text.trim().split('\n')).toEqual(['warning: slow disk', 'epoch 1/2  loss 0.5000  acc 0.5000  lr 0.1000  seconds 1  val_loss 0.6250']);
  });

  test('in a log, a progress line at most every everySeconds inside an epoch, with an ETA that holds after a resume', () => {
    const out = stream(false);
    let t = 0;
    const logger = progressLogger({ stream: out, now: () => t, everySeconds: 60 });
    const ctx = fakeContext({ epochs: 10, numBatches: 200 });
    logger.onTrainBegin?.(ctx);
    logger.onEpochBegin?.(6, ctx);
    // A resumed epoch: batches 100.. of 200, 4 images each, one every 20 s (0.2 img/s).
    // The trainer's running means include the 100 batches before the resume (mean loss 0.25 there, accuracy 1).
    const resumed = (b: number): BatchLogs => ({ ...batch(b), epoch: 6, step: 1000 + b, epochLoss: (100 * 0.25 + (b - 99) * 0.5) / (b + 1), epochAcc: (100 + (b - 99) * 0.75) / (b + 1) });
    for (let b = 100; b < 110; b++) {
      t += 20_000;
      logger.onBatchEnd?.(resumed(b), ctx);
    }
    const lines = out.chunks.join('').trim().split('\n');
    // Lines at 60, 120 and 180 s (batches 103, 106 and 109 done), none in between.
    expect(lines.map((l) => l.split('  ')[1])).toEqual(['batch 103/200', 'batch 106/200', 'batch 109/200']);
    // 91 batches of 4 images left at 0.2 img/s: 1820 s, not the 1/10 of it that counting from batch 0 would give.
    // The loss and accuracy are the epoch's over its 109 batches: (100 · 0.25 + 9 · 0.5) / 109 and (100 + 9 · 0.75) / 109.
    expect(lines[2]).toBe('epoch 7/10  batch 109/200  loss 0.2706 acc 0.979 0.2 img/s eta 30:20');
    expect(lines.every((l) => !l.includes('\r'))).toBe(true);
    // everySeconds 0: epoch lines only.
    const quiet = stream(false);
    const epochOnly = progressLogger({ stream: quiet, now: () => t, everySeconds: 0 });
    epochOnly.onTrainBegin?.(ctx);
    epochOnly.onEpochBegin?.(0, ctx);
    for (let b = 0; b < 5; b++) {
      t += 100_000;
      epochOnly.onBatchEnd?.(batch(b), ctx);
    }
    expect(quiet.chunks).toEqual([]);
    expect(() => progressLogger({ everySeconds: -1 })).toThrow('progressLogger: everySeconds must be a number of seconds >= 0, got -1');
  });

  test('formats durations', () => {
    expect(formatDuration(62)).toBe('1:02');
    expect(formatDuration(3723)).toBe('1:02:03');
  });
});
