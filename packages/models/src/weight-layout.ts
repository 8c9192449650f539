import type { WeightLayout } from './torch-names';

/**
 * Reorders a row-major array: output axis k is input axis `perm[k]` (numpy `transpose`). Plain
 * loops over typed arrays: tfjs-cpu's transpose works element by element through index objects and
 * took minutes for ResNet18's 11 M weights under jest.
 */
export function transposeArray(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  if (perm.length !== rank) throw new Error(`transposeArray: perm of length ${perm.length} for rank ${rank}`);
  const inStrides = new Array<number>(rank);
  let stride = 1;
  for (let axis = rank - 1; axis >= 0; axis -= 1) {
    inStrides[axis] = stride;
    stride *= shape[axis]!;
  }
  const outShape = perm.map((p) => shape[p]!);
  const strideByOutAxis = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(data.length);
  if (rank === 2) {
    const [n0, n1] = outShape as [number, number];
    const [s0, s1] = strideByOutAxis as [number, number];
    let o = 0;
    for (let a = 0; a < n0; a += 1) for (let b = 0; b < n1; b += 1) out[o++] = data[a * s0 + b * s1]!;
    return out;
  }
  if (rank === 4) {
    const [n0, n1, n2, n3] = outShape as [number, number, number, number];
    const [s0, s1, s2, s3] = strideByOutAxis as [number, number, number, number];
    let o = 0;
    for (let a = 0; a < n0; a += 1) {
      for (let b = 0; b < n1; b += 1) {
        for (let c = 0; c < n2; c += 1) {
          const base = a * s0 + b * s1 + c * s2;
          for (let d = 0; d < n3; d += 1) out[o++] = data[base + d * s3]!;
        }
      }
    }
    return out;
  }
  if (rank <= 1) return Float32Array.from(data);
  throw new Error(`transposeArray: rank ${rank} is not supported`);
}

/** Axis permutation from PyTorch layout to tfjs layout. */
const TORCH_TO_TFJS: Readonly<Record<WeightLayout, readonly number[] | null>> = {
  conv: [2, 3, 1, 0], // [O, I, kh, kw] → [kh, kw, I, O]
  depthwise: [2, 3, 0, 1], // [C, 1, kh, kw] → [kh, kw, C, 1]
  linear: [1, 0], // [out, in] → [in, out]
  vector: null,
};

/** Axis permutation from tfjs layout back to PyTorch layout. */
const TFJS_TO_TORCH: Readonly<Record<WeightLayout, readonly number[] | null>> = {
  conv: [3, 2, 0, 1],
  depthwise: [2, 3, 0, 1],
  linear: [1, 0],
  vector: null,
};

export function torchToTfjs(data: Float32Array, torchShape: readonly number[], layout: WeightLayout): { data: Float32Array; shape: number[] } {
  const perm = TORCH_TO_TFJS[layout];
  if (perm === null) return { data, shape: [...torchShape] };
  return { data: transposeArray(data, torchShape, perm), shape: perm.map((p) => torchShape[p]!) };
}

export function tfjsToTorch(data: Float32Array, tfjsShape: readonly number[], layout: WeightLayout): { data: Float32Array; shape: number[] } {
  const perm = TFJS_TO_TORCH[layout];
  if (perm === null) return { data: Float32Array.from(data), shape: [...tfjsShape] };
  return { data: transposeArray(data, tfjsShape, perm), shape: perm.map((p) => tfjsShape[p]!) };
}

/** Sums a torch conv weight `[O, 3, kh, kw]` over its input channels into `[O, 1, kh, kw]`. */
export function sumInputChannels(data: Float32Array, shape: readonly number[]): { data: Float32Array; shape: number[] } {
  const [o, i, kh, kw] = shape as [number, number, number, number];
  const plane = kh * kw;
  const out = new Float32Array(o * plane);
  for (let a = 0; a < o; a += 1) {
    for (let c = 0; c < i; c += 1) {
      const base = (a * i + c) * plane;
      for (let p = 0; p < plane; p += 1) out[a * plane + p]! += data[base + p]!;
    }
  }
  return { data: out, shape: [o, 1, kh, kw] };
}
