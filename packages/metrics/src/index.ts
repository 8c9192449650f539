/**
 * @fracture/metrics: Confusion matrix, ROC/AUC, precision-recall, Cohen's kappa, calibration, bootstrap confidence intervals, DeLong's test and plots: plain arrays in, plain objects out.
 *
 * @packageDocumentation
 */

export const PACKAGE_NAME = '@fracture/metrics';
