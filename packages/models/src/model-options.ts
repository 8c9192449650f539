import type { CustomCnnVariant, ModelName, ModelOptions } from './model-types';
import { getModelSpec } from './model-spec';

export interface ResolvedModelOptions {
  numClasses: number;
  inputSize: number;
  channels: 1 | 3;
  headDropout: number;
  variant: CustomCnnVariant;
  seed: number;
}

/** Checks options at the public boundary and fills in the study's defaults; `fn` names the caller in errors. */
export function resolveModelOptions(
  fn: string,
  name: ModelName,
  options: ModelOptions | undefined,
  minInputSize: number,
): ResolvedModelOptions {
  const spec = getModelSpec(name);
  const o = options ?? {};
  if (typeof o !== 'object') throw new Error(`${fn}: options must be an object, got ${typeof o}`);
  const numClasses = o.numClasses ?? 2;
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new Error(`${fn}: numClasses must be a positive integer, got ${numClasses}`);
  }
  const inputSize = o.inputSize ?? spec.inputSize;
  if (!Number.isInteger(inputSize) || inputSize < minInputSize) {
    throw new Error(`${fn}: inputSize must be an integer >= ${minInputSize}, got ${inputSize}`);
  }
  const channels = o.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new Error(`${fn}: channels must be 1 or 3, got ${String(channels)}`);
  const headDropout = o.headDropout ?? spec.headDropout;
  if (typeof headDropout !== 'number' || !(headDropout >= 0 && headDropout < 1)) {
    throw new Error(`${fn}: headDropout must be in [0, 1), got ${headDropout}`);
  }
  const variant = o.variant ?? 'notebook';
  if (variant !== 'notebook' && variant !== 'text') {
    throw new Error(`${fn}: variant must be 'notebook' or 'text', got ${String(variant)}`);
  }
  if (o.variant !== undefined && name !== 'cnn') throw new Error(`${fn}: variant applies to the custom CNN only`);
  const seed = o.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`${fn}: seed must be an integer, got ${seed}`);
  return { numClasses, inputSize, channels, headDropout, variant, seed };
}
