import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-kernel-utils';
import { heapOffset, wasmKernels } from './wasm-kernels';

/*
 * The wasm build's Transpose walks the output element by element through generic index arithmetic (about 50 M
 * elements/s on [25088, 576]), and its BatchMatMul with transposeA / transposeB is a scalar loop. Most transposes
 * on the training path are batched matrix transposes once adjacent axes that stay together are merged
 * (NHWC -> CNHW is [NHW, C] -> [C, NHW]); a cache-blocked copy does those several times faster, and our SIMD
 * `transpose_32` (4x4 tiles in registers) faster still for 32-bit values.
 */

type Heap = Float32Array | Int32Array | Uint8Array;
const BLOCK = 32;

/** dst[b, c, r] = src[b, r, c] for `batch` matrices of rows x cols. */
export function transposeBatched(src: Heap, dst: Heap, batch: number, rows: number, cols: number): void {
  const size = rows * cols;
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    for (let r0 = 0; r0 < rows; r0 += BLOCK) {
      const r1 = Math.min(r0 + BLOCK, rows);
      for (let c0 = 0; c0 < cols; c0 += BLOCK) {
        const c1 = Math.min(c0 + BLOCK, cols);
        for (let r = r0; r < r1; r++) {
          const from = base + r * cols;
          for (let c = c0; c < c1; c++) dst[base + c * rows + r] = src[from + c]!;
        }
      }
    }
  }
}

/** out = x transposed as `batch` matrices of rows x cols, both tensors on the wasm heap. */
export function transposeOnHeap(
  backend: WasmBackendLike,
  x: TensorInfo,
  out: TensorInfo,
  batch: number,
  rows: number,
  cols: number,
): void {
  const kernels = x.dtype === 'float32' || x.dtype === 'int32' ? wasmKernels(backend) : null;
  if (kernels != null) kernels.transpose_32(heapOffset(backend, x), heapOffset(backend, out), batch, rows, cols);
  else transposeBatched(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out), batch, rows, cols);
}

/**
 * Merges runs of axes that stay adjacent and in order under `perm`. Returns the merged shape and permutation, or
 * null when the transpose is not [batch?, rows, cols] -> [batch?, cols, rows].
 */
export function asBatchedMatrixTranspose(shape: number[], perm: number[]): { batch: number; rows: number; cols: number } | null {
  const axes = perm.filter((a) => shape[a] !== 1);
  const groups: number[][] = [];
  for (const a of axes) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1]! + 1 === a) last.push(a);
    else groups.push([a]);
  }
  const size = (g: number[]) => g.reduce((p, a) => p * shape[a]!, 1);
  // output order is groups order; input order is the groups sorted by first axis
  if (groups.length === 2 && groups[0]![0]! > groups[1]![0]!) {
    return { batch: 1, rows: size(groups[1]!), cols: size(groups[0]!) };
  }
  if (groups.length === 3 && groups[0]![0]! < groups[2]![0]! && groups[2]![0]! < groups[1]![0]!) {
    return { batch: size(groups[0]!), rows: size(groups[2]!), cols: size(groups[1]!) };
  }
  return null;
}

export function makeTransposeConfig(original: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as WasmBackendLike;
    const { x } = args.inputs as { x: TensorInfo };
    const { perm } = args.attrs as unknown as { perm: number[] };
    const plan = x.dtype === 'string' ? null : asBatchedMatrixTranspose(x.shape, perm);
    const outShape = perm.map((a) => x.shape[a]!);
    if (plan == null) {
      if (original == null) throw new Error('Transpose: unsupported input for the wasm training kernels');
      if (perm.every((a, i) => a === i) || x.shape.every((s) => s === 1)) {
        const out = backend.makeOutput(outShape, x.dtype);
        backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(x));
        return out;
      }
      return original.kernelFunc(args);
    }
    const out = backend.makeOutput(outShape, x.dtype);
    transposeOnHeap(backend, x, out, plan.batch, plan.rows, plan.cols);
    return out;
  };
  return { kernelName: 'Transpose', backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}
