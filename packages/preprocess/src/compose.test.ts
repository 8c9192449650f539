import * as tf from '@tensorflow/tfjs-core';
import { maxAbsDiff } from '../test/helpers/reference-fixtures';
import { expectNoLeak, patternImage } from '../test/helpers/tensor-helpers';
import { applyTransform, compose } from './compose';
import { flipHorizontal } from './flip';
import type { Transform } from './image-types';
import { normalize } from './normalize';
import { resize } from './resize';
import { createRng } from './rng';
import * as t from './transforms';

describe('compose', () => {
  test('applies steps in order: equals calling the ops by hand', () => {
    const x = patternImage(12, 10, 1);
    const pipeline = compose([t.resize([6, 5]), t.toRgb(), t.normalize()]);
    const out = applyTransform(pipeline, x, 0);
    const byHand = tf.tidy(() => normalize(tf.tile(resize(x, [6, 5]), [1, 1, 3])));
    expect(out.shape).toEqual([6, 5, 3]);
    expect(maxAbsDiff(out.dataSync(), byHand.dataSync())).toBeLessThan(1e-6);
    tf.dispose([x, out, byHand]);
  });

  test('a researcher-defined step slots in like the built-ins and receives the pipeline generator', () => {
    const seen: number[] = [];
    const invert: Transform = (x, rng) => {
      seen.push(rng.next());
      return tf.tidy(() => tf.sub(1, x));
    };
    const x = patternImage(4, 4, 1);
    const out = compose([invert, t.resize(2)])(x, createRng(9));
    const expected = tf.tidy(() => resize(tf.sub(1, x) as tf.Tensor3D, 2));
    expect(maxAbsDiff(out.dataSync(), expected.dataSync())).toBeLessThan(1e-6);
    expect(seen).toEqual([createRng(9).next()]);
    tf.dispose([x, out, expected]);
  });

  test('a full augmentation pipeline: same seed same batch, different seed differs, no leaks, input kept', () => {
    const x = tf.stack([patternImage(32, 32, 1), patternImage(32, 32, 1)]) as tf.Tensor4D;
    const augment = compose([
      t.randomResizedCrop(16, { scale: [0.5, 1] }),
      t.randomRotation(15, { fill: 0 }),
      t.randomHorizontalFlip(),
      t.randomVerticalFlip(0.2),
      t.colorJitter({ brightness: 0.2, contrast: 0.2 }),
      t.randomApply(t.gaussianBlur(3, [0.1, 1]), 0.5),
      t.clahe({ clipLimit: 2, tileGridSize: [2, 2] }),
      t.toRgb(),
      t.normalize(),
    ]);
    const a = applyTransform(augment, x, 123);
    const b = applyTransform(augment, x, 123);
    const c = applyTransform(augment, x, 124);
    expect(a.shape).toEqual([2, 16, 16, 3]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(maxAbsDiff(a.dataSync(), c.dataSync())).toBeGreaterThan(1e-3);
    expect(x.isDisposed).toBe(false);
    expectNoLeak(() => applyTransform(augment, x, 1));
    expectNoLeak(() => applyTransform(compose([]), x, 1));
    tf.dispose([x, a, b, c]);
  });

  test('every random factory is seed-deterministic and seed-sensitive', () => {
    const x = tf.stack([patternImage(16, 16, 3), flipHorizontal(patternImage(16, 16, 3))]) as tf.Tensor4D;
    const randomSteps: [string, Transform][] = [
      ['randomResizedCrop', t.randomResizedCrop(8)],
      ['randomRotation', t.randomRotation(40)],
      ['randomHorizontalFlip', t.randomHorizontalFlip()],
      ['randomVerticalFlip', t.randomVerticalFlip()],
      ['colorJitter', t.colorJitter({ brightness: 0.5, contrast: 0.5, saturation: 0.5 })],
      ['gaussianBlur', t.gaussianBlur(5, [0.1, 3])],
      ['randomApply', t.randomApply(t.toGrayscale({ keepChannels: true }))],
    ];
    for (const [name, step] of randomSteps) {
      const outputs = [1, 1, 2, 3, 4, 5].map((seed) => applyTransform(step, x, seed));
      const values = outputs.map((o) => Array.from(o.dataSync()));
      expect({ name, same: values[0] }).toEqual({ name, same: values[1] });
      // Flips and randomApply are coin tosses: some seed among several must differ.
      expect({ name, differs: values.slice(2).some((v) => maxAbsDiff(v, values[0]) > 1e-6) }).toEqual({ name, differs: true });
      tf.dispose(outputs);
    }
    x.dispose();
  });

  test('applyTransform hands back a tensor the caller owns even when a step returns its input', () => {
    const x = patternImage(3, 3, 1);
    const out = applyTransform(t.randomApply(t.toRgb(), 0), x, 1);
    expect(out).not.toBe(x);
    out.dispose();
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  test('rejects non-functions and non-image tensors, naming itself', () => {
    expect(() => compose([1 as unknown as Transform])).toThrow(/^compose: expected an array of transform functions/);
    const bad = tf.zeros([3]);
    expect(() => compose([])(bad as unknown as tf.Tensor3D, createRng(1))).toThrow('compose: expected a rank-3 or rank-4 tensor, got rank 1');
    expect(() => t.gaussianBlur(3, [2, 1])).toThrow(/^transforms.gaussianBlur: /);
    bad.dispose();
  });
});
