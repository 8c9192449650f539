import { formatFixed } from './format-fixed';

describe('formatFixed', () => {
  test('rounds exact binary ties half to even as Python does, other values as toFixed', () => {
    expect(formatFixed(0.125, 2)).toBe('0.12'); // 0.125 is exact in binary: Python prints 0.12
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(3.5, 0)).toBe('4');
    expect(formatFixed(0.1 + 0.2, 2)).toBe('0.30');
    expect(formatFixed(0.675, 2)).toBe('0.68'); // 0.675 is slightly above in binary
    expect(formatFixed(-0.125, 2)).toBe('-0.12');
    expect(formatFixed(NaN, 2)).toBe('nan');
  });
});
