import { backend_util } from '@tensorflow/tfjs-core';
import { setWinogradPolicy, winogradApplies, winogradPays } from './winograd-choice';

describe('winogradApplies', () => {
  test('takes stride-1, dilation-1 3x3 convolutions in NHWC, with any padding', () => {
    const info = (stride: number, dilation: number, k = 3, format: 'channelsLast' | 'channelsFirst' = 'channelsLast') =>
      backend_util.computeConv2DInfo(
        format === 'channelsLast' ? [2, 9, 9, 8] : [2, 8, 9, 9], [k, k, 8, 8], stride, dilation, 'same', undefined, false, format);
    expect(winogradApplies(info(1, 1))).toBe(true);
    expect(winogradApplies(info(2, 1))).toBe(false);
    expect(winogradApplies(info(1, 2))).toBe(false);
    expect(winogradApplies(info(1, 1, 5))).toBe(false);
    expect(winogradApplies(info(1, 1, 3, 'channelsFirst'))).toBe(false);
  });
});

describe('winogradPays', () => {
  test('the measured rule: 16 or more channels on both sides, and maps where tiles save 1.5x the products', () => {
    // ResNet18's stages and the custom CNN's inner layers
    expect(winogradPays(56, 56, 64, 64)).toBe(true);
    expect(winogradPays(7, 7, 512, 512)).toBe(true);
    expect(winogradPays(112, 112, 32, 64)).toBe(true);
    // the custom CNN's stem (3 input channels) and its input gradient (3 output channels)
    expect(winogradPays(224, 224, 3, 32)).toBe(false);
    expect(winogradPays(224, 224, 32, 3)).toBe(false);
    // 3x3 and 1x1 maps: padded tiles leave too little saving
    expect(winogradPays(3, 3, 512, 512)).toBe(false);
    expect(winogradPays(1, 1, 512, 512)).toBe(false);
  });

  test('follows the policy hook', () => {
    const previous = setWinogradPolicy('never');
    try {
      expect(winogradPays(56, 56, 64, 64)).toBe(false);
      setWinogradPolicy('always');
      expect(winogradPays(1, 1, 3, 3)).toBe(true);
    } finally {
      setWinogradPolicy(previous);
    }
  });
});
