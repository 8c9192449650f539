/** A class label: a class index such as `0` (`fractured`) or a class name. */
export type Label = number | string;

/** Options shared by the functions that compare true labels with predicted labels. */
export interface LabelOrderOptions {
  /**
   * Class order for rows, columns and per-class results. Defaults to the sorted union of the labels
   * seen in `yTrue` and `yPred` (numbers ascending, strings by code point), as scikit-learn does.
   * A sample whose label is not in this list is an error (scikit-learn silently drops it).
   */
  labels?: readonly Label[];
}

/** Options of the binary, score-based metrics. */
export interface PositiveLabelOptions {
  /**
   * The class whose score is given. Defaults to `1`, as scikit-learn's `pos_label`. In this project
   * class 0 is `fractured`, and reports treat it as positive: pass `{ positiveLabel: 0 }` together with
   * the probability of class 0.
   */
  positiveLabel?: Label;
}

/** A confusion matrix: `matrix[i][j]` counts samples of true class `labels[i]` predicted as `labels[j]`. */
export interface ConfusionMatrix {
  labels: Label[];
  matrix: number[][];
}

/** Per-class counts and rates. Rates whose denominator is zero are 0, as scikit-learn's `zero_division='warn'`. */
export interface ClassMetrics {
  label: Label;
  precision: number;
  recall: number;
  f1: number;
  /** True-negative rate of this class against all others: TN / (TN + FP). */
  specificity: number;
  /** Number of samples whose true class is this one. */
  support: number;
}

/** Averaged precision, recall, F1 and specificity with the total support. */
export interface AveragedMetrics {
  precision: number;
  recall: number;
  f1: number;
  specificity: number;
  support: number;
}

export interface PrecisionRecallF1 {
  labels: Label[];
  perClass: ClassMetrics[];
  /** Unweighted mean over classes. */
  macro: AveragedMetrics;
  /** Mean over classes weighted by support. */
  weighted: AveragedMetrics;
  /** From the summed counts of all classes; precision, recall and F1 then equal accuracy. */
  micro: AveragedMetrics;
}

export interface ClassificationReportOptions extends LabelOrderOptions {
  /** Names printed instead of the labels, in the order of `labels`. */
  targetNames?: readonly string[];
  /** Decimal places of the text report (default 2, as scikit-learn). */
  digits?: number;
}

export interface ClassificationReportRow {
  precision: number;
  recall: number;
  'f1-score': number;
  support: number;
}

/** The same keys as scikit-learn's `classification_report(output_dict=True)`. */
export type ClassificationReportDict = Record<string, ClassificationReportRow | number>;

export interface ClassificationReport {
  /** Text laid out character for character as scikit-learn's `classification_report`. */
  text: string;
  dict: ClassificationReportDict;
}

/**
 * A ROC curve, with the same points as scikit-learn's `roc_curve(drop_intermediate=True)`.
 * `thresholds[0]` is `Infinity` (scikit-learn >= 1.3; version 1.2 used `max(score) + 1`):
 * the operating point that predicts nothing positive.
 */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}

export interface RocCurveOptions extends PositiveLabelOptions {
  /** Drop collinear intermediate points as scikit-learn does (default true). */
  dropIntermediate?: boolean;
}

export interface RocAucOptions extends PositiveLabelOptions, LabelOrderOptions {
  /** Multi-class only: mean of the one-vs-rest AUCs, unweighted (`macro`, default) or by support. */
  average?: 'macro' | 'weighted';
}

/** One class against the rest. */
export interface OneVsRestRoc {
  label: Label;
  curve: RocCurve;
  auc: number;
  support: number;
}

/** Precision-recall pairs ordered by increasing threshold, as scikit-learn's `precision_recall_curve`. */
export interface PrecisionRecallCurve {
  /** `precision.length === thresholds.length + 1`; the final point is (recall 0, precision 1). */
  precision: number[];
  recall: number[];
  thresholds: number[];
}

export interface CohenKappaOptions extends LabelOrderOptions {
  /** Disagreement weights by class-index distance: none (default), |i - j| or (i - j)^2. */
  weights?: 'linear' | 'quadratic' | null;
}

export interface CalibrationOptions extends PositiveLabelOptions, LabelOrderOptions {
  /** Number of equal-width bins on [0, 1] (default 10). */
  nBins?: number;
}

/** One bin of a reliability diagram. Bins are (lower, upper], the first one [0, upper]. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability (confidence) in the bin; NaN when empty. */
  meanPredicted: number;
  /** Observed fraction of positives (accuracy) in the bin; NaN when empty. */
  fractionPositive: number;
}

export interface ExpectedCalibrationError {
  ece: number;
  /** Largest bin gap |fractionPositive - meanPredicted| over non-empty bins. */
  mce: number;
  bins: ReliabilityBin[];
  /** `binary`: positive-class probability; `top-label`: highest class probability against correctness. */
  mode: 'binary' | 'top-label';
}

/** What a metric sees in one bootstrap resample. */
export interface BootstrapSample<S> {
  labels: Label[];
  scores?: S[];
  predictions?: Label[];
  /** Indices into the original arrays (with repeats). */
  indices: number[];
}

/** Anything with a `next()` in [0, 1), such as `createRng` from `@fracture/preprocess`. */
export interface RandomSource {
  next(): number;
}

export interface BootstrapOptions<S> {
  labels: readonly Label[];
  scores?: readonly S[];
  predictions?: readonly Label[];
  /**
   * Resampling units, such as source-radiograph ids: whole groups are drawn with replacement, so
   * near-copies of one radiograph are never split between draws.
   */
  groups?: readonly (string | number)[];
  /** Number of resamples (default 1000). */
  nBoot?: number;
  /** Two-sided level: the interval covers 1 - alpha (default 0.05). */
  alpha?: number;
  seed: number | RandomSource;
  /**
   * Keep the count of each class (or, with groups, of each single-class group kind) fixed (default true).
   * With groups that mix classes, resampling falls back to unstratified groups; `stratified` in the result says so.
   */
  stratified?: boolean;
  /** Return the resampled metric values (default false). */
  returnSamples?: boolean;
}

export interface BootstrapInterval {
  estimate: number;
  lower: number;
  upper: number;
  alpha: number;
  nBoot: number;
  /** Resamples where the metric threw or was not finite (for example AUC with one class); not counted. */
  skipped: number;
  stratified: boolean;
  method: 'percentile';
  samples?: number[];
}

export interface DelongTestOptions extends PositiveLabelOptions {}

export interface DelongResult {
  aucA: number;
  aucB: number;
  /** aucA - aucB. */
  difference: number;
  /** DeLong variance of the difference. */
  variance: number;
  z: number;
  /** Two-sided p-value from the standard normal. */
  pValue: number;
}

export interface MisclassifiedOptions extends PositiveLabelOptions, LabelOrderOptions {
  /** Binary scores only: predict the positive class when score >= threshold (default 0.5). */
  threshold?: number;
}

export interface MisclassifiedSample {
  id: string | number;
  label: Label;
  predicted: Label;
  /** Probability the model gave to its (wrong) prediction. */
  confidence: number;
  /** Probability the model gave to the true class. */
  trueClassProbability: number;
  index: number;
}

/** One AUC with its DeLong variance and a normal-approximation interval. */
export interface DelongAuc {
  auc: number;
  variance: number;
  standardError: number;
  lower: number;
  upper: number;
}

/** A metric value for a report: a number, an interval (as from `bootstrapCi`) or missing. */
export type ReportValue = number | { estimate: number; lower: number; upper: number } | null | undefined;

/** One row of a report, such as one model. */
export interface MetricsRow {
  name: string;
  metrics: Record<string, ReportValue>;
}

export interface FormatMetricsTableOptions {
  /** Metric columns and their order (default: every metric in first-seen order). */
  columns?: readonly string[];
  /** Header text per metric key (default: the key). */
  headers?: Readonly<Record<string, string>>;
  /** Decimal places (default 4). */
  digits?: number;
  /** Print values as percentages with `digits - 2` decimals (default false). */
  percent?: boolean;
  /** Header of the first column (default `model`). */
  nameHeader?: string;
}

/** JSON-safe form of a report: non-finite numbers become null. */
export interface MetricsSummary {
  columns: string[];
  rows: { name: string; metrics: Record<string, number | { estimate: number; lower: number; upper: number } | null> }[];
}

/** Common chart options. Sizes are in CSS pixels; PNGs are rendered at `scale` times this size. */
export interface PlotOptions {
  title?: string;
  width?: number;
  height?: number;
}

/** One model's ROC curve on a chart, for example `{ name: 'ResNet18', ...rocCurve(y, s) }`. */
export interface RocSeries {
  name: string;
  fpr: readonly number[];
  tpr: readonly number[];
  /** Shown in the legend; computed by the trapezoidal rule when absent. */
  auc?: number;
}

/** One model's precision-recall curve, for example `{ name: 'ResNet18', ...precisionRecallCurve(y, s) }`. */
export interface PrecisionRecallSeries {
  name: string;
  precision: readonly number[];
  recall: readonly number[];
  /** Shown in the legend; computed as scikit-learn's average precision when absent. */
  averagePrecision?: number;
}

export interface PrecisionRecallPlotOptions extends PlotOptions {
  /** Fraction of positives: drawn as the chance line (precision of a random classifier). */
  prevalence?: number;
}

export interface ConfusionMatrixPlotOptions extends PlotOptions {
  /** Names shown on the axes, in the order of the matrix (default: the labels). */
  classNames?: readonly string[];
}

/** One model's reliability diagram, for example `{ name: 'ResNet18', bins: reliabilityBins(y, p) }`. */
export interface ReliabilitySeries {
  name: string;
  bins: readonly ReliabilityBin[];
  /** Shown in the legend; computed from the bins when absent. */
  ece?: number;
}

export interface SvgToPngOptions {
  /** Output pixels per SVG pixel (default 2, sharp on high-density screens). */
  scale?: number;
  /** Font files to use; default: DejaVu Sans from the usual system locations, else the system fonts. */
  fontFiles?: readonly string[];
}
