import type { backend_util } from '@tensorflow/tfjs-core';

/*
 * When the Winograd path replaces XNNPACK's convolution. Applicability is geometry (3x3, stride 1, dilation 1,
 * NHWC); whether it pays is measured (README, "Winograd convolutions") per shape, on 1 and 2 threads, because our
 * module runs on the calling thread while XNNPACK uses every wasm thread. The measured rule is the same for both.
 */

/** `measured`: the rule below; `always` / `never`: tests and the benchmark, to run one path on every shape. */
export type WinogradPolicy = 'measured' | 'always' | 'never';

let policy: WinogradPolicy = 'measured';

/** Test and benchmark hook. Returns the previous policy. */
export function setWinogradPolicy(value: WinogradPolicy): WinogradPolicy {
  const previous = policy;
  policy = value;
  return previous;
}

/** 3x3, stride 1, dilation 1, channels last: the convolutions F(2x2, 3x3) computes. */
export function winogradApplies(info: backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.dataFormat === 'channelsLast'
  );
}

/**
 * True when the Winograd path should run a convolution of `inChannels` to `outChannels` channels producing
 * `outHeight` x `outWidth` maps (for an input gradient: dy's channels to x's, at x's size).
 *
 * Measured (README, "Winograd convolutions"; 1 and 2 threads): faster than XNNPACK on every ResNet18 and custom
 * CNN layer with at least 32 channels on both sides, from 56x56 down to 7x7, and no faster with 3 input channels,
 * where the transforms cost as much as the 16 products. Below 16 channels on either side it is not used. On small
 * maps the tiles' padding wastes products: a map needs ceil(oh/2)·ceil(ow/2)·16 products per channel pair against
 * oh·ow·9 directly, so at 3x3 the saving is 1.27x (not worth the transforms) and at 1x1 it is a loss; the rule asks
 * for a 1.5x saving, which 7x7 (1.72x, measured faster) passes.
 */
export function winogradPays(
  outHeight: number,
  outWidth: number,
  inChannels: number,
  outChannels: number,
): boolean {
  if (policy !== 'measured') return policy === 'always';
  if (inChannels < 16 || outChannels < 16) return false;
  const direct = outHeight * outWidth * 9;
  const winograd = Math.ceil(outHeight / 2) * Math.ceil(outWidth / 2) * 16;
  return direct >= 1.5 * winograd;
}
