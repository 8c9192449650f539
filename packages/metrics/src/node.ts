/**
 * @fracture/metrics for Node: the whole package, i.e. the portable entry plus PNG rendering of the charts
 * through resvg (a native module). Node resolves `@fracture/metrics` here through the `node` export condition;
 * `@fracture/metrics/node` names it explicitly.
 *
 * @packageDocumentation
 */

export * from './index';
export { findDejaVuFonts, svgToPng } from './svg-to-png';
export { plotConfusionMatrixPng, plotPrecisionRecallPng, plotReliabilityPng, plotRocPng, plotTrainingCurvesPng } from './plot-png';
