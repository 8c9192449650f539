import { formatMetricsTable, metricsSummary } from './reports';

const rows = [
  { name: 'ResNet18', metrics: { accuracy: 0.99934, auc: { estimate: 0.98765, lower: 0.97, upper: 0.999 } } },
  { name: 'MobileNet|V2', metrics: { accuracy: 0.8211, kappa: NaN } },
];

describe('formatMetricsTable', () => {
  test('markdown with intervals, missing values and escaped pipes', () => {
    expect(formatMetricsTable(rows)).toBe(
      [
        '| model | accuracy | auc | kappa |',
        '| --- | ---: | ---: | ---: |',
        '| ResNet18 | 0.9993 | 0.9877 (0.9700–0.9990) | – |',
        '| MobileNet\\|V2 | 0.8211 | – | – |',
        '',
      ].join('\n'),
    );
  });

  test('percentages, chosen columns and headers', () => {
    const t = formatMetricsTable(rows, { columns: ['accuracy'], headers: { accuracy: 'Accuracy' }, percent: true, digits: 4 });
    expect(t.split('\n')[0]).toBe('| model | Accuracy |');
    expect(t.split('\n')[2]).toBe('| ResNet18 | 99.93 % |');
  });

  test('rejects malformed rows', () => {
    expect(() => formatMetricsTable([{ name: 1 } as never])).toThrow('formatMetricsTable: rows[0] must be { name: string, metrics: object }');
  });
});

describe('metricsSummary', () => {
  test('JSON-safe: NaN becomes null and round-trips through JSON', () => {
    const s = metricsSummary(rows);
    expect(s.columns).toEqual(['accuracy', 'auc', 'kappa']);
    expect(s.rows[1].metrics).toEqual({ accuracy: 0.8211, auc: null, kappa: null });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});
