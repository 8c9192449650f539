import { getKernel, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { transposeOnHeap } from './transpose';
import { disposeInfos, runWasmKernel, type WasmBackendLike } from './wasm-kernel-utils';

/*
 * Two costs of the wasm build's matrix multiply on the training path:
 * - with transposeA or transposeB (every dense layer's gradient) it runs a scalar loop about 20x slower than
 *   XNNPACK; transposing the operand first is far cheaper;
 * - XNNPACK packs the right-hand operand b as "weights" and caches the packing by tensor, which pays off when b is a
 *   fixed weight (inference) but not in training, where every step's weights are new tensors: packing a
 *   [46656, 120] dense kernel took 30x longer than the multiply itself. When b is new and wider than a is tall,
 *   (bᵀ · aᵀ)ᵀ packs the small aᵀ instead.
 */

const seen = new WeakSet<object>();

function transposedCopy(backend: WasmBackendLike, t: TensorInfo): TensorInfo {
  const rank = t.shape.length;
  const rows = t.shape[rank - 2]!;
  const cols = t.shape[rank - 1]!;
  const batch = util.sizeFromShape(t.shape.slice(0, -2));
  const out = backend.makeOutput([...t.shape.slice(0, -2), cols, rows], t.dtype);
  transposeOnHeap(backend, t, out, batch, rows, cols);
  return out;
}

/** a · b (operands optionally transposed) for float32, choosing which operand XNNPACK packs. */
function matMul(
  backend: WasmBackendLike,
  original: KernelConfig,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo {
  const rankA = a.shape.length;
  const rankB = b.shape.length;
  const m = transposeA ? a.shape[rankA - 1]! : a.shape[rankA - 2]!;
  const n = transposeB ? b.shape[rankB - 2]! : b.shape[rankB - 1]!;
  const singleBatch = util.sizeFromShape(a.shape.slice(0, -2)) === 1 && util.sizeFromShape(b.shape.slice(0, -2)) === 1;
  const fresh = !seen.has(b.dataId);
  seen.add(b.dataId);
  const run = (x: TensorInfo, y: TensorInfo) =>
    original.kernelFunc({ inputs: { a: x, b: y }, attrs: { transposeA: false, transposeB: false }, backend }) as TensorInfo;
  // Operands in the layout XNNPACK multiplies without transposes; `owned` ones are temporary copies.
  const owned: TensorInfo[] = [];
  const layout = (t: TensorInfo, transposed: boolean, wantTransposed: boolean) => {
    if (transposed === wantTransposed) return t;
    const copy = transposedCopy(backend, t);
    owned.push(copy);
    return copy;
  };
  try {
    if (!(fresh && singleBatch && m < n)) return run(layout(a, transposeA, false), layout(b, transposeB, false));
    const outT = run(layout(b, transposeB, true), layout(a, transposeA, true)); // [.., n, m]
    owned.push(outT);
    const out = transposedCopy(backend, outT);
    const batchShape = (rankA >= rankB ? a.shape : b.shape).slice(0, -2);
    return { ...out, shape: [...batchShape, m, n] };
  } finally {
    disposeInfos(backend, ...owned);
  }
}

export function makeBatchMatMulConfig(original: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    if (original == null) throw new Error('BatchMatMul: the wasm build has no BatchMatMul kernel');
    const backend = args.backend as WasmBackendLike;
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original.kernelFunc(args);
    return matMul(backend, original, a, b, transposeA, transposeB);
  };
  return { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}

/** Dense layers' forward pass: the same operand choice, then bias and ReLU; other activations keep the fused kernel. */
export function makeFusedMatMulConfig(original: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    if (original == null) throw new Error('_FusedMatMul: the wasm build has no _FusedMatMul kernel');
    const backend = args.backend as WasmBackendLike;
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const { transposeA, transposeB, activation } = args.attrs as unknown as {
      transposeA: boolean;
      transposeB: boolean;
      activation?: string;
    };
    const simple =
      (activation == null || activation === 'linear' || activation === 'relu') &&
      preluActivationWeights == null &&
      (bias == null || bias.shape.length === 1) &&
      a!.dtype === 'float32' &&
      b!.dtype === 'float32';
    const batchMatMul = getKernel('BatchMatMul', 'wasm');
    if (!simple || seen.has(b!.dataId) || batchMatMul == null) return original.kernelFunc(args);
    const product = batchMatMul.kernelFunc({ inputs: { a: a!, b: b! }, attrs: { transposeA, transposeB }, backend }) as TensorInfo;
    let out = product;
    if (bias != null) {
      out = runWasmKernel(backend, 'Add', { a: product, b: bias });
      disposeInfos(backend, product);
    }
    if (activation === 'relu') {
      const activated = runWasmKernel(backend, 'Relu', { x: out });
      disposeInfos(backend, out);
      out = activated;
    }
    return out;
  };
  return { kernelName: '_FusedMatMul', backendName: 'wasm', kernelFunc, setupFunc: original?.setupFunc };
}
