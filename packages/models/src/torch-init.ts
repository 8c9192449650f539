import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type Initializer = ReturnType<typeof tfl.initializers.zeros>;

/**
 * Fills `values` with (0, 1) uniforms from sfc32 seeded through splitmix32. State lives in locals of
 * one loop: a closure-based generator ran ~10× slower under jest's VM sandbox.
 */
function fillUniform(values: Float32Array, seed: number, min: number, max: number): void {
  let s = seed >>> 0;
  const state = new Uint32Array(4);
  for (let k = 0; k < 4; k += 1) {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    state[k] = (z ^ (z >>> 16)) >>> 0;
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  const scale = (max - min) / 4294967296;
  const offset = min + 0.5 * scale; // (t + 0.5) / 2^32 is never 0 or 1: safe for log()
  for (let i = 0; i < values.length; i += 1) {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    values[i] = offset + (t >>> 0) * scale;
  }
}

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

// tfjs's seeded randomNormal / randomUniform are slow enough to dominate model creation
// (seconds for ResNet18); these draw the same distributions much faster. The initializer keeps its
// class and config, so a saved model's JSON still reads RandomNormal / RandomUniform.
// Acklam's rational approximation of the normal quantile (relative error < 1.2e-9). Unlike Box-Muller
// it calls Math.log / Math.sqrt only in the 5 % tails, which matters under jest, whose sandboxed Math
// runs transcendental functions dozens of times slower than plain Node.
const A = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

function normalQuantile(p: number): number {
  if (p < P_LOW || p > 1 - P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p < P_LOW ? p : 1 - p));
    const x = (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) / ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
    return p < P_LOW ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
    (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1)
  );
}

function fastNormal(shape: readonly number[], mean: number, std: number, seed: number): tf.Tensor {
  const values = new Float32Array(size(shape));
  fillUniform(values, seed, 0, 1);
  for (let i = 0; i < values.length; i += 1) values[i] = mean + std * normalQuantile(values[i]!);
  return tf.tensor(values, [...shape], 'float32');
}

function fastUniform(shape: readonly number[], min: number, max: number, seed: number): tf.Tensor {
  const values = new Float32Array(size(shape));
  fillUniform(values, seed, min, max);
  return tf.tensor(values, [...shape], 'float32');
}

export class SeedSequence {
  private offset = 0;
  constructor(private readonly base: number) {}
  next(): number {
    this.offset += 1;
    // Mixed so that seed 1 of one model is not seed 0 of the next tensor.
    return (this.base * 7919 + this.offset * 104729) % 2147483647;
  }
}

/** PyTorch's `kaiming_normal_(mode='fan_out')` with ReLU gain (std = sqrt(2 / fan_out)), as torchvision uses for convs. */
export function kaimingNormalFanOut(fanOut: number, seeds: SeedSequence): Initializer {
  return normalInit(Math.sqrt(2 / fanOut), seeds);
}

/** Uniform in [-bound, bound]. */
export function uniformInit(bound: number, seeds: SeedSequence): Initializer {
  const seed = seeds.next();
  const init = tfl.initializers.randomUniform({ minval: -bound, maxval: bound, seed });
  init.apply = (shape) => fastUniform(shape as number[], -bound, bound, seed);
  return init;
}

/**
 * PyTorch's default for `nn.Conv2d` and `nn.Linear` (kaiming_uniform with a = sqrt(5)), which
 * reduces to U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weight and for the bias.
 */
export function torchDefaultInit(fanIn: number, seeds: SeedSequence): Initializer {
  return uniformInit(1 / Math.sqrt(fanIn), seeds);
}

/** N(0, std), untruncated (torch `normal_`), unlike tfjs-layers' 'normal' variance scaling. */
export function normalInit(std: number, seeds: SeedSequence): Initializer {
  const seed = seeds.next();
  const init = tfl.initializers.randomNormal({ mean: 0, stddev: std, seed });
  init.apply = (shape) => fastNormal(shape as number[], 0, std, seed);
  return init;
}

export function zerosInit(): Initializer {
  return tfl.initializers.zeros();
}
