import { slice_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-kernel-utils';

/*
 * Tile and Slice only move memory, but the wasm build does it element by element through index arithmetic. On
 * the training path they are hot: batch-norm's gradient tiles [C] up to [N, H, W, C], and the gradient of every
 * ZeroPadding2D is a Slice of a full activation. Copying whole contiguous runs (TypedArray.set / copyWithin,
 * i.e. memcpy) is several times faster.
 */

type Heap = Float32Array | Int32Array | Uint8Array;

function stridesOf(shape: number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  return strides;
}

export function tileInto(x: Heap, shape: number[], reps: number[], out: Heap): void {
  const rank = shape.length;
  const outShape = shape.map((s, d) => s * reps[d]!);
  const xStrides = stridesOf(shape);
  const outStrides = stridesOf(outShape);
  const fill = (d: number, xOffset: number, outOffset: number): void => {
    const run = shape[d]! * (d === rank - 1 ? 1 : outStrides[d]!);
    if (d === rank - 1) {
      out.set(x.subarray(xOffset, xOffset + shape[d]!), outOffset);
    } else {
      for (let i = 0; i < shape[d]!; i++) fill(d + 1, xOffset + i * xStrides[d]!, outOffset + i * outStrides[d]!);
    }
    // The first copy of this dimension's block is written; replicate it, doubling the copied span each time.
    const total = run * reps[d]!;
    for (let filled = run; filled < total; filled *= 2) {
      out.copyWithin(outOffset + filled, outOffset, outOffset + Math.min(filled, total - filled));
    }
  };
  if (util.sizeFromShape(outShape) > 0) fill(0, 0, 0);
}

export function sliceInto(x: Heap, shape: number[], begin: number[], size: number[], out: Heap): void {
  const rank = shape.length;
  if (util.sizeFromShape(size) === 0) return;
  // Trailing dimensions taken whole form one contiguous run together with the first partial one.
  let inner = rank - 1;
  while (inner > 0 && begin[inner] === 0 && size[inner] === shape[inner]) inner--;
  const strides = stridesOf(shape);
  const run = size[inner]! * strides[inner]!;
  const index = new Array<number>(inner).fill(0);
  let o = 0;
  for (;;) {
    let offset = begin[inner]! * strides[inner]!;
    for (let d = 0; d < inner; d++) offset += (begin[d]! + index[d]!) * strides[d]!;
    out.set(x.subarray(offset, offset + run), o);
    o += run;
    let d = inner - 1;
    while (d >= 0) {
      index[d]!++;
      if (index[d]! < size[d]!) break;
      index[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
}

export function makeTileConfig(original: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as WasmBackendLike;
    const { x } = args.inputs as { x: TensorInfo };
    const { reps } = args.attrs as unknown as { reps: number[] };
    if (x.dtype === 'string' || reps.length !== x.shape.length) {
      if (original == null) throw new Error('Tile: unsupported input for the wasm training kernels');
      return original.kernelFunc(args);
    }
    const out = backend.makeOutput(x.shape.map((s, d) => s * reps[d]!), x.dtype);
    tileInto(backend.typedArrayFromHeap(x), x.shape, reps, backend.typedArrayFromHeap(out));
    return out;
  };
  return { kernelName: 'Tile', backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}

export function makeSliceConfig(original: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as WasmBackendLike;
    const { x } = args.inputs as { x: TensorInfo };
    const attrs = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    if (x.dtype === 'string') {
      if (original == null) throw new Error('Slice: string tensors are not supported by the wasm training kernels');
      return original.kernelFunc(args);
    }
    const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size);
    slice_util.assertParamsValid(x, begin!, size!);
    const out = backend.makeOutput(size!, x.dtype);
    if (x.shape.length === 0) {
      backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(x));
    } else {
      sliceInto(backend.typedArrayFromHeap(x), x.shape, begin!, size!, backend.typedArrayFromHeap(out));
    }
    return out;
  };
  return { kernelName: 'Slice', backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}

/**
 * Identity (tf.clone, and many gradients) copies the whole buffer on wasm; tensors are immutable, so sharing the
 * buffer under a reference count is enough, as the cpu backend and the wasm Reshape kernel do.
 */
export function makeIdentityConfig(original: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as WasmBackendLike;
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') {
      if (original == null) throw new Error('Identity: string tensors are not supported by the wasm training kernels');
      return original.kernelFunc(args);
    }
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { kernelName: 'Identity', backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}
