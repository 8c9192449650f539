import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainedModelInfo } from './trained-model';

/**
 * Refuses a model folder whose `fracture-model.json` disagrees with its `model.json`, or whose weights hold
 * NaN or Infinity. Either would otherwise give answers that look normal: inputs prepared at the wrong size or
 * channel count, classes named in the wrong number, or every image "fractured" with a null probability.
 */
export function checkTrainedModel(model: tfl.LayersModel, info: TrainedModelInfo, dir: string, fn: string): void {
  const infoFile = path.join(dir, 'fracture-model.json');
  const modelFile = path.join(dir, 'model.json');
  const problems: string[] = [];
  const input = model.inputs[0]?.shape ?? [];
  const [, height, width, channels] = input;
  if (input.length !== 4 || height !== info.inputSize || width !== info.inputSize || channels !== info.channels) {
    problems.push(`inputSize ${info.inputSize} and channels ${info.channels}, but the model's input is [${input.map(String).join(',')}]`);
  }
  const output = model.outputs[0]?.shape ?? [];
  if (output[output.length - 1] !== info.classNames.length) {
    problems.push(`${info.classNames.length} classes (${info.classNames.join(', ')}), but the model has ${String(output[output.length - 1])} outputs`);
  }
  if (!info.classNames.includes(info.positiveClass)) problems.push(`positive class '${info.positiveClass}', which is not one of its classes`);
  if (info.mean.length !== info.channels || info.std.length !== info.channels) {
    problems.push(`${info.mean.length} means and ${info.std.length} standard deviations for ${info.channels} channel(s)`);
  }
  if (problems.length > 0) throw new Error(`${fn}: ${infoFile} does not match ${modelFile}: it says ${problems.join('; ')}`);

  for (const weight of model.weights) {
    const bad = tf.tidy(() => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(weight.read())), 'int32')).dataSync()[0]);
    if (bad > 0) {
      const total = weight.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      throw new Error(
        `${fn}: ${modelFile}: weight '${weight.originalName}' holds ${bad} NaN or infinite value(s) of ${total}: ` +
          'the model cannot give meaningful answers (a diverged or damaged training run); retrain, or use an earlier checkpoint',
      );
    }
  }
}
