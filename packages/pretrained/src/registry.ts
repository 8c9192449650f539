import fracatlasMobilenetv2 from '../models/fracatlas-mobilenetv2/card.json';
import type { PretrainedModelCard } from './types';

// The cards are bundled into the code (a few kilobytes), so listings need no file access in any runtime.
const CARDS: readonly PretrainedModelCard[] = [fracatlasMobilenetv2 as PretrainedModelCard];

/** Names of the shipped models, the recommended one first. */
export const PRETRAINED_MODEL_NAMES: readonly string[] = listPretrainedModels().map((card) => card.name);

/** Every shipped model's card, the recommended one first. */
export function listPretrainedModels(): PretrainedModelCard[] {
  return [...CARDS].sort((a, b) => Number(b.recommended) - Number(a.recommended));
}

/** The card of a shipped model; the error lists the names there are. */
export function getModelCard(name: string): PretrainedModelCard {
  const card = CARDS.find((c) => c.name === name);
  if (!card) {
    throw new Error(`getModelCard: no shipped model named ${JSON.stringify(name)}; shipped: ${CARDS.map((c) => c.name).join(', ')}`);
  }
  return card;
}
