import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeak } from '../test/helpers/tensor-helpers';
import { flipHorizontal, flipVertical, randomFlip } from './flip';

describe('flips', () => {
  const x = tf.tensor3d([1, 2, 3, 4, 5, 6], [2, 3, 1]);
  afterAll(() => x.dispose());

  test('horizontal mirrors columns, vertical mirrors rows, for rank 3 and 4', () => {
    const h = flipHorizontal(x);
    const v = flipVertical(x);
    expect(Array.from(h.dataSync())).toEqual([3, 2, 1, 6, 5, 4]);
    expect(Array.from(v.dataSync())).toEqual([4, 5, 6, 1, 2, 3]);
    const batch = tf.stack([x, x]) as tf.Tensor4D;
    const hb = flipHorizontal(batch);
    expect(Array.from(hb.dataSync())).toEqual([3, 2, 1, 6, 5, 4, 3, 2, 1, 6, 5, 4]);
    expectNoLeak(() => flipHorizontal(batch));
    expectNoLeak(() => flipVertical(batch));
    tf.dispose([h, v, batch, hb]);
  });

  test('randomFlip: p = 1 always flips, p = 0 never; same seed same output; different seed differs', () => {
    const always = randomFlip(x, { horizontal: 1, vertical: 1, seed: 1 });
    expect(Array.from(always.dataSync())).toEqual([6, 5, 4, 3, 2, 1]);
    const never = randomFlip(x, { horizontal: 0, seed: 1 });
    expect(Array.from(never.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const batch = tf.stack(new Array(16).fill(x)) as tf.Tensor4D;
    const a = randomFlip(batch, { seed: 4 });
    const b = randomFlip(batch, { seed: 4 });
    const c = randomFlip(batch, { seed: 5 });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    expectNoLeak(() => randomFlip(batch, { seed: 2, vertical: 0.5 }));
    expect(() => randomFlip(x, {} as { seed: number })).toThrow(
      'randomFlip: expected options.seed to be a finite number or an Rng, got undefined',
    );
    expect(() => randomFlip(x, { horizontal: 2, seed: 1 })).toThrow('randomFlip: expected horizontal to be a probability in [0, 1], got 2');
    tf.dispose([always, never, batch, a, b, c]);
  });
});
