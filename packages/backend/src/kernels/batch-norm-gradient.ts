import { util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { convKernels, convKernelWorkers } from './conv-kernels';
import { asFloat32, disposeInfos, type WasmBackendLike } from './wasm-kernel-utils';
import { heapOffset } from './wasm-kernels';
import { runSplit } from './winograd-conv';

/**
 * The kernel @fracture/models' training-mode batch norm asks for in its backward pass when the running backend
 * has it. The name is the whole contract (models depends on no package of ours): inputs `dy`, `centered`
 * (x − batch mean, saved by the forward pass), `gamma` and `rstd` (1 / sqrt(batch variance + ε)), both [C] for
 * the last axis; outputs `[dx, dGamma, dBeta]`.
 */
export const BATCH_NORM_GRAD_KERNEL = 'FractureBatchNormGrad';

/*
 * The closed form the models' composed fallback also computes, with M = rows = size / C:
 *   dβ = Σdy,  dγ = rstd·Σ dy·xc,  dx = γ·rstd·(dy − Σdy/M − xc·rstd²·Σ(dy·xc)/M).
 * Composed from tfjs ops that is six full-size passes (two sums, two multiplies, a subtraction, a batch norm) and
 * thirteen streams of memory; here it is two passes and five streams: `bn_grad_sums` reads dy and xc once for both
 * sums (float32 over blocks of 64 rows, added into float64 totals), and `bn_grad_input` writes
 * dx = dy·a + xc·b + k with the per-channel a = γ·rstd, b = −γ·rstd³·Σ(dy·xc)/M, k = −γ·rstd·Σdy/M computed in
 * float64 here. On the threaded build the sums are split by channels and dx by rows, so the result is bit-identical
 * to one thread. Channel counts that are not a multiple of 4, or a heap without our module, take plain JavaScript.
 */

const ROW_BLOCK = 64;

let calls = 0;

/** Test hook: how many batch-norm gradients have run on our wasm kernels (not the JavaScript fallback). */
export function batchNormGradientKernelCalls(): number {
  return calls;
}

function validate(dy: TensorInfo, centered: TensorInfo, gamma: TensorInfo, rstd: TensorInfo): number {
  const fn = BATCH_NORM_GRAD_KERNEL;
  for (const [name, t] of [['dy', dy], ['centered', centered], ['gamma', gamma], ['rstd', rstd]] as const) {
    if (t == null || t.dtype !== 'float32') throw new Error(`${fn}: ${name} must be a float32 tensor, got ${t == null ? 'nothing' : t.dtype}`);
  }
  if (dy.shape.length < 2 || !util.arraysEqual(dy.shape, centered.shape)) {
    throw new Error(`${fn}: dy and centered must have one shape of rank 2 or more, got [${dy.shape}] and [${centered.shape}]`);
  }
  const channels = dy.shape[dy.shape.length - 1]!;
  if (util.sizeFromShape(gamma.shape) !== channels || util.sizeFromShape(rstd.shape) !== channels) {
    throw new Error(`${fn}: gamma and rstd must hold one value per channel (${channels}), got [${gamma.shape}] and [${rstd.shape}]`);
  }
  return channels;
}

const kernelFunc: KernelFunc = ({ inputs, backend }) => {
  const wasm = backend as WasmBackendLike;
  const { dy, centered, gamma, rstd } = inputs as Record<'dy' | 'centered' | 'gamma' | 'rstd', TensorInfo>;
  const channels = validate(dy, centered, gamma, rstd);
  const rows = util.sizeFromShape(dy.shape) / channels;
  const dx = wasm.makeOutput(dy.shape, 'float32');
  const dGamma = wasm.makeOutput([channels], 'float32');
  const dBeta = wasm.makeOutput([channels], 'float32');
  if (rows === 0 || channels === 0) {
    // Sums over no rows; a fresh heap block may hold anything.
    asFloat32(wasm, dGamma).fill(0);
    asFloat32(wasm, dBeta).fill(0);
    return [dx, dGamma, dBeta];
  }
  const kernels = channels % 4 === 0 ? convKernels(wasm) : null;
  // Two float64 totals per channel, as 4 float32 slots each.
  const totals = wasm.makeOutput([4 * channels], 'float32');
  const perChannel = wasm.makeOutput([3 * channels], 'float32');
  try {
    const totalsView = asFloat32(wasm, totals);
    totalsView.fill(0);
    // The kernel stores float64 totals; the heap's allocator aligns blocks to 8 bytes, but that is not promised.
    const useKernels = kernels != null && totalsView.byteOffset % 8 === 0;
    const sums = useKernels ? new Float64Array(totalsView.buffer, totalsView.byteOffset, 2 * channels) : new Float64Array(2 * channels);
    const sumDy = sums.subarray(0, channels);
    const sumDyXc = sums.subarray(channels);
    const pool = useKernels ? convKernelWorkers(wasm) : null;
    const [dyAt, xcAt, outAt, totalsAt, vectorsAt] = [dy, centered, dx, totals, perChannel].map((t) => heapOffset(wasm, t)) as [
      number, number, number, number, number,
    ];
    if (useKernels) {
      calls++;
      runSplit(kernels!, pool, 'bn_grad_sums', channels, 4, (c, n) => [dyAt, xcAt, totalsAt, totalsAt + 8 * channels, rows, channels, c, c + n, ROW_BLOCK]);
    } else {
      const d = asFloat32(wasm, dy);
      const x = asFloat32(wasm, centered);
      for (let r = 0, i = 0; r < rows; r++) {
        for (let c = 0; c < channels; c++, i++) {
          sumDy[c] += d[i]!;
          sumDyXc[c] += d[i]! * x[i]!;
        }
      }
    }
    const g = asFloat32(wasm, gamma);
    const s = asFloat32(wasm, rstd);
    const gammaGrad = asFloat32(wasm, dGamma);
    const betaGrad = asFloat32(wasm, dBeta);
    const vectors = asFloat32(wasm, perChannel);
    for (let c = 0; c < channels; c++) {
      const r = s[c]!;
      const scale = g[c]! * r;
      betaGrad[c] = sumDy[c]!;
      gammaGrad[c] = sumDyXc[c]! * r;
      vectors[c] = scale;
      vectors[channels + c] = (-scale * r * r * sumDyXc[c]!) / rows;
      vectors[2 * channels + c] = (-scale * sumDy[c]!) / rows;
    }
    if (useKernels) {
      runSplit(kernels!, pool, 'bn_grad_input', rows, 1, (r, n) => [dyAt, xcAt, vectorsAt, vectorsAt + 4 * channels, vectorsAt + 8 * channels, outAt, channels, r, r + n]);
    } else {
      const d = asFloat32(wasm, dy);
      const x = asFloat32(wasm, centered);
      const out = asFloat32(wasm, dx);
      for (let r = 0, i = 0; r < rows; r++) {
        for (let c = 0; c < channels; c++, i++) out[i] = d[i]! * vectors[c]! + x[i]! * vectors[channels + c]! + vectors[2 * channels + c]!;
      }
    }
  } finally {
    disposeInfos(wasm, totals, perChannel);
  }
  return [dx, dGamma, dBeta];
};

export function makeBatchNormGradConfig(): KernelConfig {
  return { kernelName: BATCH_NORM_GRAD_KERNEL, backendName: 'wasm', kernelFunc };
}
