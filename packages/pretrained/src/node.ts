import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { loadPretrainedModel as loadFromSource } from './load-pretrained-model';
import { getModelCard } from './registry';
import type { PretrainedModel, PretrainedModelSource } from './types';

export * from './index';

/** The installed folder of a shipped model: `model.json`, `weights.bin`, `fracture-model.json` (for `fracture --model-dir`) and `card.json`. */
export function pretrainedModelDir(name: string): string {
  getModelCard(name);
  // dist/node.js and src/node.ts both sit one level below the package root, beside models/.
  return path.join(__dirname, '..', 'models', name);
}

/** `loadPretrainedModel` that reads the installed files when no source is given. */
export async function loadPretrainedModel(name: string, source?: PretrainedModelSource): Promise<PretrainedModel> {
  if (source) return loadFromSource(name, source);
  const dir = pretrainedModelDir(name);
  const read = async (file: string) => {
    try {
      return new Uint8Array(await readFile(path.join(dir, file)));
    } catch (error) {
      throw new Error(`loadPretrainedModel: ${path.join(dir, file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const [modelJson, weights] = await Promise.all([read('model.json'), read('weights.bin')]);
  return loadFromSource(name, { modelJson, weights });
}
