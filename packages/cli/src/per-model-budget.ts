import { isModelName, MODEL_NAMES } from '@fracture/models';
import type { ModelName } from '@fracture/models';

/** One value for every model, or one per model (models left out keep their default). */
export type PerModelValue = number | Partial<Record<ModelName, number>>;

/**
 * Parses a budget flag such as `--epochs 10` or `--max-train-images resnet18=512,mobilenetv2=384`,
 * so one reproduction command can give the slow models a reduced budget and the fast ones the
 * study's full one.
 */
export function parsePerModelValue(flag: string, text: string): PerModelValue {
  const positive = (raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer or model=n pairs, got '${text}'`);
    return n;
  };
  if (!text.includes('=')) return positive(text);
  const values: Partial<Record<ModelName, number>> = {};
  for (const pair of text.split(',')) {
    const [name, raw, extra] = pair.split('=').map((part) => part.trim());
    if (raw === undefined || extra !== undefined) throw new Error(`${flag}: expected model=n, got '${pair}'`);
    if (!isModelName(name)) throw new Error(`${flag}: unknown model '${name}'; expected one of ${MODEL_NAMES.join(', ')}`);
    if (name in values) throw new Error(`${flag}: ${name} is given twice`);
    values[name] = positive(raw);
  }
  return values;
}
