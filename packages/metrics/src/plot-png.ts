import { plotConfusionMatrix } from './plot-confusion-matrix';
import { plotPrecisionRecall } from './plot-precision-recall';
import { plotReliability } from './plot-reliability';
import { plotRoc } from './plot-roc';
import { plotTrainingCurves } from './plot-training-curves';
import type { TrainingCurvePoint } from './plot-training-curves';
import { svgToPng } from './svg-to-png';
import type {
  ConfusionMatrix,
  ConfusionMatrixPlotOptions,
  PlotOptions,
  PrecisionRecallPlotOptions,
  PrecisionRecallSeries,
  ReliabilitySeries,
  RocSeries,
  SvgToPngOptions,
} from './types';

// The charts as PNG: rendered by resvg, a native Node module, so these live behind @fracture/metrics/node
// while the SVG charts stay portable.

/** `plotRoc` rendered to PNG bytes. */
export function plotRocPng(series: RocSeries | readonly RocSeries[], options: PlotOptions & SvgToPngOptions = {}): Uint8Array {
  return svgToPng(plotRoc(series, options), options);
}

/** `plotConfusionMatrix` rendered to PNG bytes. */
export function plotConfusionMatrixPng(cm: ConfusionMatrix, options: ConfusionMatrixPlotOptions & SvgToPngOptions = {}): Uint8Array {
  return svgToPng(plotConfusionMatrix(cm, options), options);
}

/** `plotPrecisionRecall` rendered to PNG bytes. */
export function plotPrecisionRecallPng(
  series: PrecisionRecallSeries | readonly PrecisionRecallSeries[],
  options: PrecisionRecallPlotOptions & SvgToPngOptions = {},
): Uint8Array {
  return svgToPng(plotPrecisionRecall(series, options), options);
}

/** `plotReliability` rendered to PNG bytes. */
export function plotReliabilityPng(series: ReliabilitySeries | readonly ReliabilitySeries[], options: PlotOptions & SvgToPngOptions = {}): Uint8Array {
  return svgToPng(plotReliability(series, options), options);
}

/** `plotTrainingCurves` rendered to PNG bytes. */
export function plotTrainingCurvesPng(history: readonly TrainingCurvePoint[], options: PlotOptions & SvgToPngOptions = {}): Uint8Array {
  return svgToPng(plotTrainingCurves(history, options), options);
}
