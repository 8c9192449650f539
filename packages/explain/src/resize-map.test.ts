import { resizeMap } from './resize-map';
import { cvResizeLinear } from './testing/reference';

describe('resizeMap', () => {
  test('up and down, square and not, equals the OpenCV INTER_LINEAR algorithm written out in loops', () => {
    const source = Float32Array.from({ length: 5 * 3 }, (_, i) => Math.sin(i * 1.7) + i / 10);
    for (const [w, h] of [[13, 7], [2, 2], [5, 9], [1, 1], [40, 3]] as const) {
      const ours = resizeMap({ data: source, width: 5, height: 3 }, w, h);
      expect([ours.width, ours.height]).toEqual([w, h]);
      const expected = cvResizeLinear(source, 3, 5, h, w);
      expect(Array.from(ours.data)).toEqual(Array.from(expected).map((v) => expect.closeTo(v, 5)));
    }
  });

  test('hand-computed 2 -> 4 upsampling: edges clamp, interior interpolates at quarter offsets', () => {
    // Output centres map to source x = -0.25, 0.25, 0.75, 1.25 -> clamp, 0.75a + 0.25b, 0.25a + 0.75b, clamp.
    const out = resizeMap({ data: Float32Array.from([0, 1]), width: 2, height: 1 }, 4, 1);
    expect(Array.from(out.data)).toEqual([0, 0.25, 0.75, 1]);
  });

  test('the same size returns a copy', () => {
    const map = { data: Float32Array.from([1, 2, 3, 4]), width: 2, height: 2 };
    const out = resizeMap(map, 2, 2);
    expect(out.data).not.toBe(map.data);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4]);
  });
});
