import type { DatasetItem } from '@fracture/preprocess';
import { metadataBaseline } from './metadata-baseline';

const FRACTURED = 0;

function item(id: number, label: number, regions: string[], hardware = false): DatasetItem {
  return {
    path: `/atlas/IMG${String(id).padStart(7, '0')}.jpg`,
    label,
    className: label === FRACTURED ? 'fractured' : 'not fractured',
    sourceId: `ids ${Math.floor(id / 2) * 2}`,
    metadata: { regions, hardware },
  };
}

/** Hands: 2 of 4 fractured (score 0.5); legs: 1 of 5 (0.2); one hand-and-leg image, fractured, with an implant (1). */
const items = [
  item(0, 0, ['hand']),
  item(1, 0, ['hand']),
  item(2, 1, ['hand']),
  item(3, 1, ['hand']),
  item(4, 0, ['leg']),
  item(5, 1, ['leg']),
  item(6, 1, ['leg']),
  item(7, 1, ['leg']),
  item(8, 1, ['leg']),
  item(9, 0, ['leg', 'hand'], true),
];

describe('metadataBaseline', () => {
  test('scores each image by its region\'s fracture rate and measures that score\'s AUC', () => {
    const baseline = metadataBaseline('region', items, { positiveLabel: FRACTURED, nBoot: 200 })!;
    // Fractured scores: 0.5, 0.5, 0.2, 1; intact: 0.5, 0.5, 0.2 x 4. Of the 4 x 6 pairs the fractured image
    // ranks higher in 2 x 4 (fractured hands over intact legs) + 6 (hand-and-leg over all) = 14; ties, counted
    // half, are 2 x 2 (hand with hand) + 4 (leg with leg) = 8, so AUC = (14 + 8 / 2) / 24 = 18 / 24.
    expect(baseline.auc.estimate).toBeCloseTo(18 / 24, 12);
    expect(baseline.values).toBe(3);
    expect(baseline.auc.lower).toBeLessThanOrEqual(baseline.auc.estimate);
    expect(baseline.auc.upper).toBeGreaterThanOrEqual(baseline.auc.estimate);
    expect(baseline.auc.nBoot).toBe(200);
  });

  test('the region-and-implant key tells apart what the region alone cannot', () => {
    // Two more fractured hands, with implants: hands are 4 of 6 fractured, but 2 of 2 with an implant.
    const mixed = [...items, item(10, 0, ['hand'], true), item(11, 0, ['hand'], true)];
    const region = metadataBaseline('region', mixed, { positiveLabel: FRACTURED, nBoot: 10 })!;
    const both = metadataBaseline('region and implant', mixed, { positiveLabel: FRACTURED, nBoot: 10 })!;
    expect(region.values).toBe(3);
    expect(both.values).toBe(4);
    // Region: fractured 2/3 x 4, 0.2, 1 against intact 2/3 x 2, 0.2 x 4: 22 wins and 12 ties of 36 pairs.
    expect(region.auc.estimate).toBeCloseTo(28 / 36, 12);
    // With implants: fractured 0.5 x 2, 1 x 3, 0.2 against intact 0.5 x 2, 0.2 x 4: 26 wins and 8 ties.
    expect(both.auc.estimate).toBeCloseTo(30 / 36, 12);
  });

  test('null without the metadata or without both classes; unknown names are refused by name', () => {
    expect(metadataBaseline('region', [...items, { ...items[0]!, metadata: undefined }], { positiveLabel: FRACTURED })).toBeNull();
    expect(metadataBaseline('region', items.filter((x) => x.label === FRACTURED), { positiveLabel: FRACTURED })).toBeNull();
    expect(() => metadataBaseline('colour', items, { positiveLabel: FRACTURED })).toThrow(/^metadataBaseline: unknown baseline "colour"; expected one of region, region and implant$/);
  });
});
