import type { BootstrapInterval, ConfusionMatrix, Label, PrecisionRecallCurve, RocCurve } from './types';

export interface BinaryEvaluationOptions {
  /** True class of each sample. */
  labels: readonly Label[];
  /**
   * Per-sample probabilities: rows of one value per class in the order of `classes` (`[N][2]`), or, like
   * `rocAuc` and the other curve functions, one score per sample for the positive class (`[N]`).
   */
  probabilities: readonly number[] | readonly (readonly number[])[];
  /** The two classes in probability-column order. Default `[0, 1]`. */
  classes?: readonly Label[];
  /** The positive class. Default: the first class (`0 = fractured` in this project). */
  positiveLabel?: Label;
  /** Predict positive when its probability is at least this. Default 0.5 (the arg-max for two classes). */
  threshold?: number;
  /** Resampling units for the bootstrap, such as source radiograph ids. */
  groups?: readonly (string | number)[];
  /** Bootstrap resamples. Default 1000. */
  nBoot?: number;
  /** Interval level: 1 - alpha. Default 0.05. */
  alpha?: number;
  /** Bootstrap seed. Default 0. */
  seed?: number;
}

export type BinaryMetricName = 'accuracy' | 'precision' | 'recall' | 'specificity' | 'f1' | 'auc' | 'kappa' | 'mcc';

export interface BinaryEvaluation {
  n: number;
  classes: Label[];
  positiveLabel: Label;
  threshold: number;
  /** Point estimate and percentile bootstrap interval of each metric (precision, recall, F1 of the positive class). */
  metrics: Record<BinaryMetricName, BootstrapInterval>;
  brier: number;
  ece: number;
  averagePrecision: number;
  confusion: ConfusionMatrix;
  roc: RocCurve;
  precisionRecall: PrecisionRecallCurve;
  /** Whether the intervals resampled whole groups. */
  groupedBootstrap: boolean;
}
