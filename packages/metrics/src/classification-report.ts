import { countConfusion } from './confusion-matrix';
import { formatFixed } from './format-fixed';
import { metricsFromConfusion } from './precision-recall-f1';
import type { AveragedMetrics, ClassificationReport, ClassificationReportOptions, ClassificationReportRow, Label } from './types';

function padStart(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

function row(m: { precision: number; recall: number; f1: number; support: number }): ClassificationReportRow {
  return { precision: m.precision, recall: m.recall, 'f1-score': m.f1, support: m.support };
}

/**
 * The per-class table of scikit-learn's `classification_report`: `text` matches its output character
 * for character, `dict` its `output_dict=True` keys (`accuracy`, `macro avg`, `weighted avg`).
 * Because every sample's label must be in `labels`, micro averages always equal accuracy, so (like
 * scikit-learn in that case) the report has an `accuracy` line instead of `micro avg`.
 */
export function classificationReport(
  yTrue: readonly Label[],
  yPred: readonly Label[],
  options: ClassificationReportOptions = {},
): ClassificationReport {
  const fn = 'classificationReport';
  const digits = options.digits ?? 2;
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new Error(`${fn}: digits must be an integer in [0, 20], got ${digits}`);
  }
  const m = metricsFromConfusion(countConfusion(fn, yTrue, yPred, options));
  const names = options.targetNames ? [...options.targetNames] : m.labels.map((l) => String(l));
  if (names.length !== m.labels.length) {
    throw new Error(`${fn}: ${names.length} targetNames for ${m.labels.length} labels ${JSON.stringify(m.labels)}`);
  }

  const dict: Record<string, ClassificationReportRow | number> = {};
  m.perClass.forEach((c, i) => (dict[names[i]] = row(c)));
  dict.accuracy = m.micro.recall;
  dict['macro avg'] = row(m.macro);
  dict['weighted avg'] = row(m.weighted);

  const width = Math.max(...names.map((n) => n.length), 'weighted avg'.length, digits);
  const num = (x: number): string => ' ' + padStart(formatFixed(x, digits), 9);
  const int = (x: number): string => ' ' + padStart(String(x), 9);
  const line = (name: string, r: { precision: number; recall: number; f1: number; support: number }): string =>
    padStart(name, width) + ' ' + num(r.precision) + num(r.recall) + num(r.f1) + int(r.support) + '\n';

  let text = padStart('', width) + ' ' + ['precision', 'recall', 'f1-score', 'support'].map((h) => ' ' + padStart(h, 9)).join('');
  text += '\n\n';
  m.perClass.forEach((c, i) => (text += line(names[i], c)));
  text += '\n';
  text += padStart('accuracy', width) + ' ' + ' '.repeat(10) + ' '.repeat(10) + num(m.micro.f1) + int(m.micro.support) + '\n';
  const averages: [string, AveragedMetrics][] = [
    ['macro avg', m.macro],
    ['weighted avg', m.weighted],
  ];
  for (const [name, avg] of averages) text += line(name, avg);
  return { text, dict };
}
