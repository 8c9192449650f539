import type * as tfl from '@tensorflow/tfjs-layers';
import type { StateDict } from './state-dict-types';
import { torchParameters } from './torch-names';
import { tfjsToTorch } from './weight-layout';

/**
 * The model's weights as a PyTorch-layout state dict (`model.state_dict()` without
 * `num_batches_tracked`), ready for `writeSafetensors` and for loading into the torchvision model.
 */
export function getStateDict(model: tfl.LayersModel): StateDict {
  if (model === null || typeof model !== 'object' || !Array.isArray(model.layers)) {
    throw new Error('getStateDict: expected a tfjs LayersModel');
  }
  const out: StateDict = {};
  for (const param of torchParameters(model)) {
    // read() returns the variable's own tensor: nothing to dispose.
    const values = param.variable.read().dataSync() as Float32Array;
    const torch = tfjsToTorch(values, param.variable.shape as number[], param.layout);
    out[param.key] = { dtype: 'float32', shape: torch.shape, data: torch.data };
  }
  return out;
}
