import type { io } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { fileSystemIO } from './file-io-handler';
import type { SaveModelOptions } from './file-io-handler-types';

/**
 * Saves a whole model (topology + weights, optionally optimizer state) to `dir` as
 * `model.json` + `weights.bin`, creating the folder if needed. Works without tfjs-node.
 * Models with custom layers reload only where those layers are registered
 * (`tf.serialization.registerClass`), as with any tfjs model.
 */
export async function saveModel(model: LayersModel, dir: string, options: SaveModelOptions = {}): Promise<io.SaveResult> {
  if (typeof model !== 'object' || model === null || typeof (model as { save?: unknown }).save !== 'function') {
    throw new Error('saveModel: expected a tf.LayersModel');
  }
  if (typeof dir !== 'string' || dir.length === 0) throw new Error(`saveModel: expected a directory path, got ${JSON.stringify(dir)}`);
  const { includeOptimizer = false, metadata } = options;
  return model.save(fileSystemIO(dir, { metadata }), { includeOptimizer });
}
