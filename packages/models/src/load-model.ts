import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { join } from 'node:path';
import { fileSystemIO } from './file-io-handler';
import type { LoadModelOptions } from './file-io-handler-types';
import { registerLayerClasses } from './register-layer-classes';
import { describeWeightShapeMismatches } from './weight-shape-check';

/**
 * Loads a model saved by {@link saveModel} (or any tfjs `model.json` + weights folder) from
 * `dir`. Errors name the missing or inconsistent file. The caller owns the model and
 * frees its weights with `model.dispose()`.
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<LayersModel> {
  if (typeof dir !== 'string' || dir.length === 0) throw new Error(`loadModel: expected a directory path, got ${JSON.stringify(dir)}`);
  registerLayerClasses();
  const handler = fileSystemIO(dir);
  try {
    return await loadLayersModel(handler, { strict: options.strict ?? true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!/shape mismatch/i.test(message) || !handler.load) throw error;
    const problems = await describeWeightShapeMismatches(await handler.load()).catch(() => []);
    if (problems.length === 0) throw error;
    const shown = problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
    throw new Error(`loadModel: ${join(dir, 'model.json')}: weight ${shown}`);
  }
}
