import type { Estimate, PretrainedModelCard } from './types';

const range = (value: Estimate | null, digits = 3) => (value ? `${value.estimate.toFixed(digits)} (${value.lower.toFixed(digits)}–${value.upper.toFixed(digits)})` : '–');

/** A model card as Markdown: what the package README shows, and what an app can show its users. */
export function formatModelCard(card: PretrainedModelCard): string {
  const t = card.metrics.test;
  const split = card.training.split;
  const lines = [
    `### ${card.name}${card.recommended ? ' (recommended)' : ''}`,
    '',
    card.summary,
    '',
    `**Intended use.** ${card.intendedUse}`,
    '',
    `**Input.** ${card.architecture}, ${card.inputSize} x ${card.inputSize} px, ${card.channels} channels (gray radiographs are replicated), normalised with mean [${card.mean.join(', ')}] and std [${card.std.join(', ')}]. Output: probabilities of ${card.classNames.map((c) => `"${c}"`).join(' and ')}, calibrated by temperature scaling (T = ${card.temperature.toFixed(3)}, folded into the head).`,
    '',
    `**Operating point.** "${card.positiveClass}" when its probability is at least ${card.threshold.value.toFixed(4)}: ${card.threshold.rule} (there: sensitivity ${card.threshold.validation.sensitivity.toFixed(3)}, specificity ${card.threshold.validation.specificity.toFixed(3)}).`,
    '',
    `**Training data.** ${card.training.data.map((d) => `${d.name} (${d.images.toLocaleString('en-US')} images, ${d.licence}): ${d.citation}`).join('; ')}.`,
    '',
    `**Split.** ${split.train} train / ${split.val} validation / ${split.test} test images (${split.testFractured} fractured in test): ${split.rule}.`,
    '',
    `**Test results** (${t.n} images, ${t.positives} fractured; 95 % bootstrap intervals over blocks of ids):`,
    '',
    '| metric | value |',
    '| --- | ---: |',
    `| AUC | ${range(t.auc)} |`,
    `| sensitivity | ${range(t.sensitivity)} |`,
    `| specificity | ${range(t.specificity)} |`,
    `| accuracy | ${range(t.accuracy)} |`,
    `| expected calibration error | ${t.ece.toFixed(3)} |`,
    `| Brier score | ${t.brier.toFixed(3)} |`,
    '',
    'By subgroup (an image showing two regions counts in both; "–": the subgroup has no image of the class the metric needs):',
    '',
    '| group | images | fractured | AUC | sensitivity | specificity |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...card.metrics.subgroups.map((g) => `| ${g.group} | ${g.n} | ${g.positives} | ${range(g.auc)} | ${range(g.sensitivity)} | ${range(g.specificity)} |`),
    '',
    `**Where Grad-CAM points** (${card.localisation.n} fractured test images with radiologists' boxes; pointing game within ${card.localisation.tolerance} px at the input size, and the share of the map's mass inside the boxes; a centred Gaussian and a flat map are the baselines a method must beat):`,
    '',
    '| map | pointing game | mass in boxes |',
    '| --- | ---: | ---: |',
    ...card.localisation.rows.map((r) => `| ${r.method} | ${range(r.pointing)} | ${range(r.massInBoxes)} |`),
    '',
    `**Weights.** ${card.weights.dtype}, ${(card.weights.bytes / 2 ** 20).toFixed(1)} MiB, sha256 ${card.weights.sha256}.${card.weights.float16Check ? ` ${card.weights.float16Check}.` : ''}`,
    '',
    `**Recipe.** \`${card.training.command}\`: ${card.training.epochs}; ${card.training.minutes} min of training and validation on ${card.training.machine}.${card.training.note ? ` ${card.training.note}` : ''}`,
    '',
    '**Limitations.**',
    '',
    ...card.limitations.map((l) => `- ${l}`),
    '',
  ];
  return lines.join('\n');
}
