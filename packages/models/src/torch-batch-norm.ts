import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { registeredLayerClass } from './registered-layer-class';

/** tfjs-layers' `BatchNormalization` layer (its class is not exported by name). */
export type StockBatchNormalization = ReturnType<typeof tfl.layers.batchNormalization>;
export type TorchBatchNormArgs = NonNullable<Parameters<typeof tfl.layers.batchNormalization>[0]>;
export type StockBatchNormalizationClass = (new (args?: TorchBatchNormArgs) => StockBatchNormalization) &
  Pick<typeof tfl.layers.Layer, 'fromConfig'>;

type Kwargs = Parameters<StockBatchNormalization['call']>[1];

/** The batch statistics of one training call: per-channel mean and biased variance. */
export interface BatchStatistics {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * A kernel computing the backward pass below in two passes, which @fracture/backend registers for wasm. Asked for
 * by name, so this package depends on none of ours: inputs `dy`, `centered`, `gamma`, `rstd`; outputs
 * `[dx, dGamma, dBeta]`. Where the running backend lacks it, the same closed form is composed from tfjs ops.
 */
export const BATCH_NORM_GRAD_KERNEL = 'FractureBatchNormGrad';

/**
 * Training-mode batch norm over every axis but the last, as one op with a hand-written gradient.
 * The value is exactly tfjs-layers' (`tf.moments`, then `tf.batchNorm`), but tfjs's autodiff of
 * that graph runs about 24 full-size kernels backwards (the gradients of moments and of batchNorm
 * w.r.t. mean and variance, a Tile among them); the closed form below needs 6 (two sums, two
 * multiplies, a subtraction and a batchNorm used as per-channel affine map):
 *
 *   dβ = Σdy,  dγ = Σ dy·x̂,  dx = γ·rstd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M),  x̂ = (x − μ)·rstd, M = N·H·W.
 *
 * `x − μ` is kept from the forward pass, so the backward sums never subtract two large
 * nearly-equal numbers (Σdy·x − μΣdy would lose every digit on a channel whose mean dwarfs its
 * spread). `onStatistics` sees the batch mean and variance inside the op, where they exist; the
 * tensors are freed after it returns.
 */
export function batchNormInTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  onStatistics?: (statistics: BatchStatistics) => void,
): tf.Tensor {
  if (!(x instanceof tf.Tensor) || x.rank < 2 || x.rank > 4 || x.dtype !== 'float32') {
    throw new Error(`batchNormInTraining: x must be a float32 tensor of rank 2 to 4, got ${describe(x)}`);
  }
  const channels = x.shape[x.rank - 1]!;
  for (const [label, t] of [['gamma', gamma], ['beta', beta]] as const) {
    if (!(t instanceof tf.Tensor) || t.rank !== 1 || t.shape[0] !== channels || t.dtype !== 'float32') {
      throw new Error(`batchNormInTraining: ${label} must be a float32 [${channels}] tensor, got ${describe(t)}`);
    }
  }
  if (!(Number.isFinite(epsilon) && epsilon >= 0)) throw new Error(`batchNormInTraining: epsilon must be finite and >= 0, got ${epsilon}`);
  const count = x.size / channels;
  if (count === 0) throw new Error(`batchNormInTraining: x has no elements per channel (shape ${JSON.stringify(x.shape)})`);
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);

  const op = tf.customGrad((...args) => {
    const [input, scale, offset, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    // The same kernels as tf.moments (mean, sub, square, mean), so the statistics are bit-identical
    // to tfjs-layers' and `centered` is available to the backward pass.
    const mean = tf.mean(input, axes) as tf.Tensor1D;
    const centered = tf.sub(input, mean);
    const variance = tf.mean(tf.square(centered), axes) as tf.Tensor1D;
    onStatistics?.({ mean, variance });
    const rstd = tf.rsqrt(tf.add(variance, epsilon));
    save([centered, scale, rstd]);
    const value = tf.batchNorm(input, mean, variance, offset, scale, epsilon);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] =>
      // customGrad calls this outside any tidy; without one the temporaries would live until the
      // whole backward pass ends.
      tf.tidy(() => {
        const [xc, g, r] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
        if (tf.getKernel(BATCH_NORM_GRAD_KERNEL, tf.getBackend()) != null) {
          return tf.engine().runKernel(BATCH_NORM_GRAD_KERNEL, { dy, centered: xc, gamma: g, rstd: r }, {}) as tf.Tensor[];
        }
        const dBeta = tf.sum(dy, axes);
        const dGamma = tf.mul(tf.sum(tf.mul(dy, xc), axes), r);
        // x̂·Σ(dy·x̂)/M = xc · (rstd · dγ / M): one full-size multiply by a per-channel vector.
        const projection = tf.mul(xc, tf.div(tf.mul(dGamma, r), count));
        // (v − Σdy/M) · γ·rstd in one kernel: batchNorm with variance 1 and ε 0 divides by sqrt(1) = 1 exactly.
        const dx = tf.batchNorm(tf.sub(dy, projection), tf.div(dBeta, count), tf.onesLike(r), undefined, tf.mul(g, r), 0);
        return [dx, dGamma, dBeta];
      });
    return { value, gradFunc };
  });
  return op(x, gamma, beta);
}

function describe(t: unknown): string {
  return t instanceof tf.Tensor ? `${t.dtype} ${JSON.stringify(t.shape)}` : typeof t;
}

const StockBatchNormalizationBase = registeredLayerClass<StockBatchNormalizationClass>('BatchNormalization', 'TorchBatchNorm');

/**
 * tfjs-layers' `BatchNormalization` (same weights, names, order, config and inference path, so
 * the state-dict loaders and saved weights are unchanged) whose training call is the single
 * custom-gradient op {@link batchNormInTraining}. The moving statistics are updated as tfjs-layers
 * does: `moving −= (moving − batch) · (1 − momentum)` with the biased batch variance. Other
 * configurations (an axis other than the last, no centre or scale, non-float inputs) fall back to
 * the stock training path.
 */
export class TorchBatchNorm extends StockBatchNormalizationBase {
  static className = 'TorchBatchNorm';
  private readonly settings: { axis: number; epsilon: number; momentum: number; center: boolean; scale: boolean };

  constructor(args?: TorchBatchNormArgs) {
    super(args);
    // The stock layer keeps these private; its config holds them with its defaults applied.
    const config = super.getConfig();
    this.settings = {
      axis: config['axis'] as number,
      epsilon: config['epsilon'] as number,
      momentum: config['momentum'] as number,
      center: config['center'] as boolean,
      scale: config['scale'] as boolean,
    };
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) && inputs.length === 1 ? inputs[0]! : inputs;
    const { axis, epsilon, momentum, center, scale } = this.settings;
    if (
      !kwargs['training'] ||
      Array.isArray(x) ||
      x.dtype !== 'float32' ||
      x.rank < 2 ||
      x.rank > 4 ||
      (axis !== -1 && axis !== x.rank - 1) ||
      !center ||
      !scale
    ) {
      return super.call(inputs, kwargs);
    }
    const gamma = this.weightNamed('gamma');
    const beta = this.weightNamed('beta');
    const movingMean = this.weightNamed('moving_mean');
    const movingVariance = this.weightNamed('moving_variance');
    return tf.tidy(() =>
      batchNormInTraining(x, gamma.read(), beta.read(), epsilon, ({ mean, variance }) => {
        updateMovingAverage(movingMean, mean, momentum);
        updateMovingAverage(movingVariance, variance, momentum);
      }),
    );
  }

  private weightNamed(suffix: string): tfl.LayerVariable {
    // `<layer>/<suffix>` when built inside a model, the bare suffix when built on its own
    const found = this.weights.find((w) => w.originalName === suffix || w.originalName.endsWith(`/${suffix}`));
    if (found === undefined) throw new Error(`TorchBatchNorm: layer '${this.name}' has no '${suffix}' weight; was it built?`);
    return found;
  }
}

/** tfjs-layers' moving-average update, operation for operation, so the values are bit-identical. */
function updateMovingAverage(variable: tfl.LayerVariable, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const current = variable.read();
    variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - momentum)));
  });
}

tf.serialization.registerClass(TorchBatchNorm);
