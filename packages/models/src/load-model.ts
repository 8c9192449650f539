import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { fileSystemIO } from './file-io-handler';
import type { LoadModelOptions } from './file-io-handler-types';
import { registerLayerClasses } from './register-layer-classes';

/**
 * Loads a model saved by {@link saveModel} (or any tfjs `model.json` + weights folder) from
 * `dir`. Errors name the missing or inconsistent file. The caller owns the model and
 * frees its weights with `model.dispose()`.
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<LayersModel> {
  if (typeof dir !== 'string' || dir.length === 0) throw new Error(`loadModel: expected a directory path, got ${JSON.stringify(dir)}`);
  registerLayerClasses();
  return loadLayersModel(fileSystemIO(dir), { strict: options.strict ?? true });
}
