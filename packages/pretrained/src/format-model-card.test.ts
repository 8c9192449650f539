import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { formatModelCard } from './format-model-card';
import { listPretrainedModels } from './registry';

describe('formatModelCard', () => {
  test("the README's card section is the cards, formatted (run `npm run card` after the recipe)", () => {
    const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.split('<!-- model-cards:start -->\n')[1]?.split('<!-- model-cards:end -->')[0];
    expect(section).toBe(listPretrainedModels().map(formatModelCard).join('\n'));
  });

  test('states the numbers with their intervals, the threshold, the licence and the limits', () => {
    const [card] = listPretrainedModels();
    const text = formatModelCard(card);
    const auc = card.metrics.test.auc;
    expect(text).toContain(`| AUC | ${auc.estimate.toFixed(3)} (${auc.lower.toFixed(3)}–${auc.upper.toFixed(3)}) |`);
    expect(text).toContain(`at least ${card.threshold.value.toFixed(4)}`);
    expect(text).toContain('CC BY 4.0');
    expect(text).toContain('not a medical device');
    for (const limitation of card.limitations) expect(text).toContain(`- ${limitation}`);
  });
});
