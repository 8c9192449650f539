import { formatFixed } from './format-fixed';
import type { FormatMetricsTableOptions, MetricsRow, MetricsSummary, ReportValue } from './types';

function columnsOf(fn: string, rows: readonly MetricsRow[], columns: readonly string[] | undefined): string[] {
  if (!Array.isArray(rows)) throw new Error(`${fn}: expected an array of rows`);
  rows.forEach((r, i) => {
    if (!r || typeof r.name !== 'string' || typeof r.metrics !== 'object' || r.metrics === null) {
      throw new Error(`${fn}: rows[${i}] must be { name: string, metrics: object }`);
    }
  });
  if (columns) return [...columns];
  const seen: string[] = [];
  for (const r of rows) for (const key of Object.keys(r.metrics)) if (!seen.includes(key)) seen.push(key);
  return seen;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * A markdown table with one row per model and one column per metric; intervals print as
 * `0.9812 (0.9700–0.9901)`, missing or non-finite values as `–`.
 *
 * @example formatMetricsTable([{ name: 'resnet18', metrics: { accuracy: 0.9993, auc: 1 } }])
 */
export function formatMetricsTable(rows: readonly MetricsRow[], options: FormatMetricsTableOptions = {}): string {
  const fn = 'formatMetricsTable';
  const columns = columnsOf(fn, rows, options.columns);
  const digits = options.digits ?? 4;
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) throw new Error(`${fn}: digits must be an integer in [0, 20], got ${digits}`);
  const percent = options.percent ?? false;
  const num = (x: number): string =>
    !Number.isFinite(x) ? '–' : percent ? `${formatFixed(100 * x, Math.max(0, digits - 2))} %` : formatFixed(x, digits);
  const cell = (v: ReportValue): string => {
    if (v === null || v === undefined) return '–';
    if (typeof v === 'number') return num(v);
    return `${num(v.estimate)} (${num(v.lower)}–${num(v.upper)})`;
  };
  const header = [options.nameHeader ?? 'model', ...columns.map((c) => options.headers?.[c] ?? c)];
  const lines = [
    `| ${header.map(escapeCell).join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${[escapeCell(r.name), ...columns.map((c) => cell(r.metrics[c]))].join(' | ')} |`),
  ];
  return lines.join('\n') + '\n';
}

/** The same rows as a JSON-safe object (non-finite numbers become null), for machine-readable reports. */
export function metricsSummary(rows: readonly MetricsRow[], options: Pick<FormatMetricsTableOptions, 'columns'> = {}): MetricsSummary {
  const columns = columnsOf('metricsSummary', rows, options.columns);
  const clean = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    columns,
    rows: rows.map((r) => {
      const metrics: MetricsSummary['rows'][number]['metrics'] = {};
      for (const c of columns) {
        const v = r.metrics[c];
        if (v === null || v === undefined) metrics[c] = null;
        else if (typeof v === 'number') metrics[c] = clean(v);
        else {
          const [e, l, u] = [clean(v.estimate), clean(v.lower), clean(v.upper)];
          metrics[c] = e === null || l === null || u === null ? null : { estimate: e, lower: l, upper: u };
        }
      }
      return { name: r.name, metrics };
    }),
  };
}
