import type { NamedTensorMap, Scalar, Tensor, Variable } from '@tensorflow/tfjs-core';

/** The engines `selectBackend` knows, fastest first. Both TensorFlow engines register the tfjs backend `tensorflow`. */
export type EngineName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface SelectBackendOptions {
  /**
   * Engine to try first; the others follow in the usual order (`tensorflow-gpu`, `tensorflow`, `wasm`, `cpu`) if it
   * cannot start. `auto` (default) starts at the top. The `FRACTURE_BACKEND` environment variable, when set, wins
   * over this and allows no fallback.
   */
  prefer?: EngineName | 'auto';
  /**
   * wasm threads (default 1). Above 1, tfjs-backend-wasm's threaded build is started (with pthread workers); if it
   * cannot start, the single-threaded build runs and `reason` says why. `FRACTURE_WASM_THREADS`, when set, wins.
   * Takes effect only when wasm starts for the first time in the process.
   */
  threads?: number;
  /** Try the libtensorflow engines at all (default true). */
  allowTensorflow?: boolean;
  /** Register the wasm training kernels when wasm is chosen (default true). */
  trainingKernels?: boolean;
  /** Environment to read `FRACTURE_BACKEND` and `FRACTURE_WASM_THREADS` from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Module loader for the optional engines (default dynamic `import`); lets tests simulate installed packages. */
  loadModule?: (specifier: string) => Promise<unknown>;
}

export interface BackendAttempt {
  engine: EngineName;
  error: string;
  /** The engine's package is simply absent (the usual case for the optional tfjs-node peers), not broken. */
  notInstalled: boolean;
}

export interface BackendSelection {
  /** The tfjs backend now active (`tf.getBackend()`): `tensorflow`, `wasm` or `cpu`. */
  name: string;
  engine: EngineName;
  /** Why this engine: forced by the environment, preferred, or the first that started. */
  reason: string;
  /**
   * Threads the engine computes with (wasm: `getThreadsCount()` of the running build, never just the request;
   * cpu: 1; tensorflow: its intra-op default, 0 = auto).
   */
  threads: number;
  /** wasm only: whether the SIMD build is running. */
  simd: boolean;
  /** Whether this package's wasm training kernels are registered. */
  trainingKernels: boolean;
  /** Engines tried before this one, with the reason each failed. */
  tried: BackendAttempt[];
}


/** A loss on one (micro-)batch: the mean over its examples, as a scalar. */
export type BatchLoss = (xs: Tensor, ys: Tensor) => Scalar;

export interface AccumulateGradientsOptions {
  /** Examples per forward/backward pass; the batch is cut into ceil(N / microBatchSize) slices. */
  microBatchSize: number;
  /** Variables to differentiate; default every trainable variable (as `tf.variableGrads`). */
  varList?: Variable[];
}

export interface AccumulatedGradients {
  /** Mean loss over the whole batch. */
  loss: number;
  /** Gradients of the whole-batch mean loss, keyed by variable name; the caller disposes them. */
  grads: NamedTensorMap;
  microBatches: number;
}
