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
  /**
   * Enable WebAssembly relaxed SIMD before the wasm backend compiles (default true): on Node 20 this sets V8's
   * `--experimental-wasm-relaxed-simd` at run time. False leaves V8's flags alone and only detects, as does a choice
   * that cannot reach wasm (`FRACTURE_BACKEND=cpu`).
   */
  relaxedSimd?: boolean;
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
  /**
   * Whether the JavaScript engine compiles WebAssembly relaxed SIMD (`f32x4.relaxed_madd`), after `selectBackend`
   * enabled it where it could (V8's flag on Node 20); `reason` says how, on the wasm engine. It is a property of the
   * JavaScript engine, reported for every backend; only wasm kernels can use it.
   */
  relaxedSimd: boolean;
  /** Engines tried before this one, with the reason each failed. */
  tried: BackendAttempt[];
}

/** The outcome of `enableRelaxedSimd`. */
export interface RelaxedSimdStatus {
  /** A module using relaxed SIMD validates in this engine now. */
  available: boolean;
  /** `engine`: supported without help (Node >= 22, current browsers, or node started with the flag); `flag`: V8's flag set at run time by `enableRelaxedSimd`; null when unavailable. */
  enabledBy: 'engine' | 'flag' | null;
  /** For people: `yes (enabled by flag on Node 20)`, `no (the engine does not support it)`, … */
  detail: string;
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
