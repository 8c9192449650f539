import { backend_util } from '@tensorflow/tfjs-core';
import { setWinogradFilterGradientPolicy, setWinogradPolicy, winogradApplies, winogradFilterGradientPays, winogradPays } from './winograd-choice';
import type { WasmBackendLike } from './wasm-kernel-utils';

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

/** A stand-in for the wasm backend, answering only the thread count the rule reads. */
function backendWithThreads(threads: number): WasmBackendLike {
  return { wasm: { tfjs: { getThreadsCount: () => threads } } } as unknown as WasmBackendLike;
}

describe('winogradPays', () => {
  const one = backendWithThreads(1);
  const two = backendWithThreads(2);

  test('the measured rule: enough input channels, and maps where tiles save 1.5x the products', () => {
    for (const backend of [one, two]) {
      // ResNet18's stages, the custom CNN's inner layers, and its stem's input gradient (32 to 3 channels)
      expect(winogradPays(backend, 56, 56, 64)).toBe(true);
      expect(winogradPays(backend, 7, 7, 512)).toBe(true);
      expect(winogradPays(backend, 112, 112, 32)).toBe(true);
      expect(winogradPays(backend, 224, 224, 32)).toBe(true);
      // the custom CNN's stem (3 input channels)
      expect(winogradPays(backend, 224, 224, 3)).toBe(false);
      // 3x3 and 1x1 maps: padded tiles leave too little saving
      expect(winogradPays(backend, 3, 3, 512)).toBe(false);
      expect(winogradPays(backend, 1, 1, 512)).toBe(false);
    }
    // 8 input channels: faster on the calling thread alone, not against XNNPACK on 2 threads
    expect(winogradPays(one, 56, 56, 8)).toBe(true);
    expect(winogradPays(two, 56, 56, 8)).toBe(false);
    expect(winogradPays(two, 56, 56, 16)).toBe(true);
  });

  test('follows the policy hook', () => {
    const previous = setWinogradPolicy('never');
    try {
      expect(winogradPays(one, 56, 56, 64)).toBe(false);
      setWinogradPolicy('always');
      expect(winogradPays(one, 1, 1, 3)).toBe(true);
    } finally {
      setWinogradPolicy(previous);
    }
  });
});

describe('winogradFilterGradientPays', () => {
  const one = backendWithThreads(1);
  const two = backendWithThreads(2);

  test('the measured rule: 8 or more input channels, and maps where tiles save 1.5x the products', () => {
    for (const backend of [one, two]) {
      expect(winogradFilterGradientPays(backend, 56, 56, 64, 64)).toBe(true);
      expect(winogradFilterGradientPays(backend, 7, 7, 512, 512)).toBe(true);
      expect(winogradFilterGradientPays(backend, 112, 112, 32, 64)).toBe(true);
      expect(winogradFilterGradientPays(backend, 56, 56, 8, 8)).toBe(true);
      expect(winogradFilterGradientPays(backend, 56, 56, 16, 3)).toBe(true);
      // the custom CNN's stem: 3 input channels
      expect(winogradFilterGradientPays(backend, 224, 224, 3, 32)).toBe(false);
      expect(winogradFilterGradientPays(backend, 3, 3, 512, 512)).toBe(false);
      expect(winogradFilterGradientPays(backend, 1, 1, 512, 512)).toBe(false);
    }
  });

  test('follows the policy hook', () => {
    const previous = setWinogradPolicy('never');
    try {
      expect(winogradFilterGradientPays(one, 56, 56, 64, 64)).toBe(false);
      setWinogradPolicy('always');
      expect(winogradFilterGradientPays(one, 224, 224, 3, 32)).toBe(true);
      // its own policy overrides the shared one, and null follows it again
      setWinogradFilterGradientPolicy('never');
      expect(winogradFilterGradientPays(one, 56, 56, 64, 64)).toBe(false);
      expect(winogradPays(one, 56, 56, 64)).toBe(true);
      setWinogradFilterGradientPolicy(null);
      expect(winogradFilterGradientPays(one, 56, 56, 64, 64)).toBe(true);
    } finally {
      setWinogradPolicy(previous);
      setWinogradFilterGradientPolicy(null);
    }
  });
});
