/**
 * @fracture/metrics: every number a classifier evaluation reports, computed as scikit-learn computes
 * it (confusion matrix, accuracy, balanced accuracy, precision / recall / F1 / specificity, Matthews
 * correlation, classification report, ROC and precision-recall curves with AUC and average precision,
 * Cohen's kappa, Brier score and calibration), plus what the study lacked: seeded bootstrap confidence
 * intervals that can resample whole source radiographs, DeLong's test for two correlated AUCs, the
 * most confident mistakes, SVG / PNG charts and markdown / JSON summaries. Plain arrays in, plain objects out.
 * This entry imports nothing from Node, so it runs in browsers; PNG rendering of the charts (resvg, native)
 * comes from `@fracture/metrics/node`, which Node resolves `@fracture/metrics` to as well.
 *
 * @packageDocumentation
 */

export { accuracy } from './accuracy';
export { balancedAccuracy } from './balanced-accuracy';
export { bootstrapCi } from './bootstrap-ci';
export { evaluateBinaryClassifier } from './binary-evaluation';
export type { BinaryEvaluation, BinaryEvaluationOptions, BinaryMetricName } from './binary-evaluation-types';
export { brierScore } from './brier-score';
export { expectedCalibrationError, reliabilityBins } from './calibration';
export { classificationReport } from './classification-report';
export { cohenKappa } from './cohen-kappa';
export { confusionMatrix } from './confusion-matrix';
export { delongAuc, delongTest } from './delong-test';
export { matthewsCorrelation } from './matthews-correlation';
export { misclassified } from './misclassified';
export { plotConfusionMatrix } from './plot-confusion-matrix';
export { plotPrecisionRecall } from './plot-precision-recall';
export { plotReliability } from './plot-reliability';
export { plotRoc } from './plot-roc';
export { plotTrainingCurves } from './plot-training-curves';
export type { TrainingCurvePoint } from './plot-training-curves';
export { averagePrecision, precisionRecallCurve } from './precision-recall-curve';
export { precisionRecallF1 } from './precision-recall-f1';
export { formatMetricsTable, metricsSummary } from './reports';
export { applyTemperature, fitTemperature } from './temperature-scaling';
export type { TemperatureOptions } from './temperature-scaling';
export { thresholdForSensitivity } from './threshold-for-sensitivity';
export type { OperatingPoint } from './threshold-for-sensitivity';
export { oneVsRestRoc, rocAuc, rocCurve, trapezoidArea } from './roc-curve';
export type * from './types';
