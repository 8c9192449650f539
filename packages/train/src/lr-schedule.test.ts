import { epochLogs, fakeContext } from '../test/fake-context';
import { torchAvailable, torchReference } from '../test/torch-reference';
import { cosineLr, lrSchedule, stepLr } from './lr-schedule';

/** The lr each epoch runs with, driving a schedule callback like the trainer does. */
function runSchedule(schedule: ReturnType<typeof lrSchedule.step>, epochs: number, metrics: number[] = []): number[] {
  const ctx = fakeContext({ lr: 0.01 });
  const lrs: number[] = [];
  for (let e = 0; e < epochs; e++) {
    schedule.onEpochBegin?.(e, ctx);
    lrs.push(ctx.lr);
    schedule.onEpochEnd?.(epochLogs(e, { val_loss: metrics[e] }), ctx);
  }
  return lrs;
}

const PLATEAU_METRICS = [1, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85];

describe('lrSchedule', () => {
  test('step halves every 3 epochs (hand-computed)', () => {
    expect(runSchedule(lrSchedule.step({ stepSize: 3, gamma: 0.5 }), 7)).toEqual([0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025]);
    expect(stepLr(1, 10, { stepSize: 5 })).toBeCloseTo(0.01, 12);
  });

  test('cosine reaches etaMin at tMax and the midpoint halfway', () => {
    expect(cosineLr(1, 0, { tMax: 4 })).toBe(1);
    expect(cosineLr(1, 2, { tMax: 4 })).toBeCloseTo(0.5, 12);
    expect(cosineLr(1, 4, { tMax: 4, etaMin: 0.1 })).toBeCloseTo(0.1, 12);
  });

  test('reduceOnPlateau: patience 1, cooldown 1, factor 0.5 (hand-traced)', () => {
    // Epoch 0 sets best 1, 1 improves (0.9), 2 and 3 are bad: after epoch 3, 2 bad > patience 1 -> halve for epoch 4.
    // Epoch 4 is bad but in cooldown; 5 improves; 6, 7 bad -> halve for epoch 8.
    const lrs = runSchedule(lrSchedule.reduceOnPlateau({ factor: 0.5, patience: 1, cooldown: 1, minLr: 1e-4 }), 10, PLATEAU_METRICS);
    expect(lrs).toEqual([0.01, 0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.005, 0.0025, 0.0025]);
  });

  test('reduceOnPlateau state survives a checkpoint round trip', () => {
    const a = lrSchedule.reduceOnPlateau({ factor: 0.5, patience: 1, cooldown: 1 });
    const ctx = fakeContext({ lr: 0.01 });
    PLATEAU_METRICS.slice(0, 3).forEach((m, e) => a.onEpochEnd?.(epochLogs(e, { val_loss: m }), ctx));
    const b = lrSchedule.reduceOnPlateau({ factor: 0.5, patience: 1, cooldown: 1 });
    b.setState?.(JSON.parse(JSON.stringify(a.getState?.())));
    b.onEpochEnd?.(epochLogs(3, { val_loss: 0.95 }), ctx);
    expect(ctx.lr).toBe(0.005);
  });

  test('validates options, naming the schedule', () => {
    expect(() => lrSchedule.step({ stepSize: 0 })).toThrow('lrSchedule.step: expected an integer stepSize >= 1');
    expect(() => lrSchedule.cosine({ tMax: 0 })).toThrow('lrSchedule.cosine: expected tMax > 0');
    expect(() => lrSchedule.reduceOnPlateau({ factor: 2 })).toThrow('lrSchedule.reduceOnPlateau: expected factor in (0, 1)');
  });

  (torchAvailable() ? test : test.skip)('match torch.optim.lr_scheduler StepLR, CosineAnnealingLR and ReduceLROnPlateau', () => {
    const reference = torchReference<{ schedules: { step: number[]; cosine: number[]; plateau: number[] } }>({
      schedules: { lr: 0.01, metrics: PLATEAU_METRICS },
    }).schedules;
    const close = (actual: number[], expected: number[]) => expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, 12));
    close(runSchedule(lrSchedule.step({ stepSize: 3, gamma: 0.5 }), 10), reference.step);
    close(runSchedule(lrSchedule.cosine({ tMax: 5, etaMin: 1e-4 }), 10), reference.cosine);
    close(
      runSchedule(lrSchedule.reduceOnPlateau({ factor: 0.5, patience: 1, cooldown: 1, minLr: 1e-4 }), 10, PLATEAU_METRICS),
      reference.plateau,
    );
  });
});
