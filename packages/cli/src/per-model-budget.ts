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
  return parsePairs(flag, text, positive, 'n');
}

/**
 * Parses per-model files such as `--weights resnet18=resnet18-f37072fd.pth,efficientnet-b3=b3.safetensors`: each
 * model its own file (a path may contain `=` after the first one).
 */
export function parsePerModelFiles(flag: string, text: string): Partial<Record<ModelName, string>> {
  const file = (raw: string): string => {
    if (raw === '') throw new Error(`${flag}: expected model=file pairs, got '${text}'`);
    return raw;
  };
  if (!text.includes('=')) throw new Error(`${flag}: expected model=file pairs (each model its own weights), got '${text}'`);
  return parsePairs(flag, text, file, 'file', true);
}

function parsePairs<T>(flag: string, text: string, parse: (raw: string) => T, what: string, restIsValue = false): Partial<Record<ModelName, T>> {
  const values: Partial<Record<ModelName, T>> = {};
  for (const pair of text.split(',')) {
    const [name, ...rest] = pair.split('=').map((part) => part.trim());
    const raw = restIsValue ? rest.join('=') : rest[0];
    if (rest.length === 0 || (!restIsValue && rest.length > 1)) throw new Error(`${flag}: expected model=${what}, got '${pair}'`);
    if (!isModelName(name)) throw new Error(`${flag}: unknown model '${name}'; expected one of ${MODEL_NAMES.join(', ')}`);
    if (name in values) throw new Error(`${flag}: ${name} is given twice`);
    values[name] = parse(raw!);
  }
  return values;
}
