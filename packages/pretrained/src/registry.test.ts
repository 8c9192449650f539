import { getModelCard, listPretrainedModels, PRETRAINED_MODEL_NAMES } from './registry';
import type { Estimate } from './types';

function expectEstimate(value: Estimate | null, where: string): void {
  expect({ where, ok: value !== null && value.lower <= value.estimate && value.estimate <= value.upper && value.lower >= 0 && value.upper <= 1 }).toEqual({ where, ok: true });
}

describe('the shipped model registry', () => {
  test('lists the models, the recommended one first, and names the unknown', () => {
    const cards = listPretrainedModels();
    expect(cards.length).toBeGreaterThan(0);
    expect(cards[0].recommended).toBe(true);
    expect(cards.filter((c) => c.recommended)).toHaveLength(1);
    expect(PRETRAINED_MODEL_NAMES).toEqual(cards.map((c) => c.name));
    expect(() => getModelCard('nope')).toThrow(`getModelCard: no shipped model named "nope"; shipped: ${PRETRAINED_MODEL_NAMES.join(', ')}`);
  });

  test.each(PRETRAINED_MODEL_NAMES)('%s: the card has every field an app and a reviewer need', (name) => {
    const card = getModelCard(name);
    expect(card.name).toBe(name);
    expect(card.classNames).toContain(card.positiveClass);
    expect(card.mean).toHaveLength(card.channels);
    expect(card.std).toHaveLength(card.channels);
    expect(card.threshold.value).toBeGreaterThan(0);
    expect(card.threshold.value).toBeLessThan(1);
    expect(card.threshold.rule).toMatch(/validation/);
    expect(card.temperature).toBeGreaterThan(0);
    expect(card.weights.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(['float16', 'float32']).toContain(card.weights.dtype);
    // Licence and credit of every dataset it learned from.
    for (const data of card.training.data) {
      expect(data.licence).toBeTruthy();
      expect(data.citation).toMatch(/doi:/);
    }
    expect(card.training.split.test).toBeGreaterThan(0);
    expect(card.training.command).toMatch(/^node examples\/pretrained-recipe\/recipe\.mjs/);
    const test = card.metrics.test;
    for (const key of ['auc', 'sensitivity', 'specificity', 'accuracy'] as const) expectEstimate(test[key], key);
    expect(test.ece).toBeGreaterThanOrEqual(0);
    const groups = card.metrics.subgroups.map((g) => g.group);
    expect(groups[0]).toBe('all');
    expect(groups).toEqual(expect.arrayContaining(['implant: yes', 'implant: no']));
    expect(groups.some((g) => g.startsWith('region: '))).toBe(true);
    const methods = card.localisation.rows.map((r) => r.method);
    expect(methods).toEqual(expect.arrayContaining(['gradcam', 'centre prior', 'uniform']));
    expect(card.intendedUse).toMatch(/not a medical device/);
    expect(card.limitations.length).toBeGreaterThan(0);
  });
});
