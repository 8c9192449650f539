import { serialization } from '@tensorflow/tfjs-core';
import { SeededDropout } from './seeded-dropout';
import { StemConv2D } from './stem-conv2d';
import { StochasticDepth } from './stochastic-depth';
import { TorchBatchNorm } from './torch-batch-norm';
import { TorchReLU6 } from './torch-relu6';
import { TorchSiLU } from './torch-silu';

// A saved model names this package's layer classes. Each module registers its class when it loads, but
// the package is marked side-effect free, so a bundler may drop a module nothing references: loading a
// model registers them again (registering a class twice replaces the entry with the same class).
const LAYER_CLASSES = [SeededDropout, StemConv2D, StochasticDepth, TorchBatchNorm, TorchReLU6, TorchSiLU];

/**
 * Registers this package's layer classes with tfjs, so that `tf.loadLayersModel(url)` (in a browser, say) can
 * rebuild a saved model of the registry. `loadModel` does it by itself.
 */
export function registerLayerClasses(): void {
  for (const layerClass of LAYER_CLASSES) serialization.registerClass(layerClass);
}
