import { CONV_KERNELS_SHARED, CONV_KERNELS_UNSHARED } from './conv-kernels-binary';
import { wasmModule } from './wasm-kernels';

/*
 * The Winograd F(2x2, 3x3) convolution kernels of wasm/conv-kernels.wat, bound to the wasm backend's heap like
 * the training kernels (a separate module, so the two evolve independently). They run on the calling thread.
 */

/** Byte offsets into the wasm heap; integers are element counts or sizes. See conv-kernels.wat for the layouts. */
export interface ConvKernelExports {
  wino_pad_input(
    x: number, padded: number, images: number, h: number, w: number, c: number,
    hp: number, wp: number, cp: number, top: number, left: number,
  ): void;
  wino_input_transform(
    padded: number, v: number, images: number, tilesH: number, tilesW: number,
    hp: number, wp: number, cp: number, matrixBytes: number,
  ): void;
  wino_filter_transform(
    filter: number, u: number, cin: number, cout: number, cinP: number, flip: number, matrixBytes: number,
  ): void;
  wino_gemm(
    v: number, u: number, m: number, rows: number, k: number, panels: number,
    vMatrixBytes: number, uMatrixBytes: number, mMatrixBytes: number,
  ): void;
  wino_output_transform(
    m: number, y: number, images: number, tilesH: number, tilesW: number,
    oh: number, ow: number, co: number, panels: number, matrixBytes: number,
  ): void;
}

/** The conv kernels bound to this backend's heap, or null when they cannot be (callers keep XNNPACK's path). */
export const convKernels = wasmModule<ConvKernelExports>(CONV_KERNELS_UNSHARED, CONV_KERNELS_SHARED);
