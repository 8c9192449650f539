import * as tf from '@tensorflow/tfjs-core';
import { createModel } from '@fracture/models';
import { CLASS_NAMES, writeSyntheticDataset } from '@fracture/preprocess';
import { defaultPreparation, saveTrainedModel } from '../trained-model';

/**
 * An untrained 32-pixel gray CNN saved as a model folder, for tests of what surrounds a model (its answers do
 * not matter, only that it gives them). `poison` replaces every weight with NaN, as a diverged run would.
 */
export async function tinyModelDir(dir: string, options: { poison?: boolean } = {}): Promise<string> {
  const model = createModel('cnn', { inputSize: 32, channels: 1, seed: 1 });
  try {
    if (options.poison) tf.tidy(() => model.setWeights(model.weights.map((w) => tf.fill(w.shape as number[], NaN))));
    await saveTrainedModel(dir, model, {
      modelName: 'cnn',
      channels: 1,
      classNames: [...CLASS_NAMES],
      positiveClass: CLASS_NAMES[0],
      ...defaultPreparation('cnn', 1, 32),
    });
  } finally {
    model.dispose();
  }
  return dir;
}

/** A few synthetic radiographs (PNG, `size` pixels square), returned as file paths. */
export async function fewImages(dir: string, count = 4, size = 32): Promise<string[]> {
  const summary = await writeSyntheticDataset(dir, { count, size, seed: 5, variantsPerSource: 1 });
  return summary.items.map((item) => item.path);
}
