import { serialization } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { join } from 'node:path';
import { fileSystemIO } from './file-io-handler';
import type { LoadModelOptions } from './file-io-handler-types';
import { SeededDropout } from './seeded-dropout';
import { StemConv2D } from './stem-conv2d';
import { StochasticDepth } from './stochastic-depth';
import { TorchBatchNorm } from './torch-batch-norm';
import { TorchReLU6 } from './torch-relu6';
import { TorchSiLU } from './torch-silu';
import { describeWeightShapeMismatches } from './weight-shape-check';

// A saved model names this package's layer classes. Each module registers its class when it loads, but
// the package is marked side-effect free, so a bundler may drop a module nothing references: loadModel
// registers them again itself (registering a class twice replaces the entry with the same class).
const LAYER_CLASSES = [SeededDropout, StemConv2D, StochasticDepth, TorchBatchNorm, TorchReLU6, TorchSiLU];

/**
 * Loads a model saved by {@link saveModel} (or any tfjs `model.json` + weights folder) from
 * `dir`. Errors name the missing or inconsistent file. The caller owns the model and
 * frees its weights with `model.dispose()`.
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<LayersModel> {
  if (typeof dir !== 'string' || dir.length === 0) throw new Error(`loadModel: expected a directory path, got ${JSON.stringify(dir)}`);
  for (const layerClass of LAYER_CLASSES) serialization.registerClass(layerClass);
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
