import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LoadStateDictOptions, LoadStateDictResult, MismatchedKey } from './model-types';
import type { StateDict, TensorData } from './state-dict-types';
import { timmArchitectureOf, torchvisionToTimmKey } from './timm-names';
import { BATCH_NORM_CLASS_NAMES, type TorchParameter, torchParameters } from './torch-names';
import { sumInputChannels, torchToTfjs } from './weight-layout';

interface PlannedCopy {
  param: TorchParameter;
  tensor: TensorData;
  /** A 3-channel stem conv loading into a 1-channel model: sum the RGB filters. */
  sumInputChannels: boolean;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function describeErrors(modelName: string, missing: string[], unexpected: string[], mismatched: MismatchedKey[]): string {
  const quote = (keys: string[]) => keys.map((k) => `"${k}"`).join(', ');
  const lines = [`loadStateDict: Error(s) in loading state_dict for ${modelName}:`];
  if (missing.length) lines.push(`\tMissing key(s) in state_dict: ${quote(missing)}.`);
  if (unexpected.length) lines.push(`\tUnexpected key(s) in state_dict: ${quote(unexpected)}.`);
  for (const m of mismatched) {
    lines.push(
      `\tsize mismatch for ${m.key}: copying a param with shape [${m.got.join(', ')}] from checkpoint, the shape in current model is [${m.expected.join(', ')}].`,
    );
  }
  return lines.join('\n');
}

/**
 * Copies a PyTorch state dict into a model built by this package, converting layouts (conv
 * OIHW → HWIO, depthwise [C, 1, kh, kw] → [kh, kw, C, 1], linear [out, in] → [in, out]) and
 * reporting keys like `torch.nn.Module.load_state_dict`: `missing` (the model needs them),
 * `unexpected` (the model has no place for them) and `mismatched` (shapes differ). With `strict`
 * (default) any of those throws and nothing is written; otherwise everything that fits is loaded,
 * so a 1000-class ImageNet checkpoint fills a 2-class model except its head; when nothing at all fits (another
 * architecture), it throws rather than leave the model silently untouched. Unlike PyTorch,
 * non-strict loading also skips shape mismatches instead of raising. BatchNorm's
 * `num_batches_tracked` is accepted and ignored. A 3-channel stem conv loading into a 1-channel
 * model is summed over RGB, which gives the same response to a gray image replicated on 3 channels.
 * `source: 'timm'` renames timm keys first (see `torchvisionToTimmKey`).
 */
export function loadStateDict(
  model: tfl.LayersModel,
  stateDict: StateDict,
  options: LoadStateDictOptions = {},
): LoadStateDictResult {
  if (model === null || typeof model !== 'object' || !Array.isArray(model.layers)) {
    throw new Error('loadStateDict: expected a tfjs LayersModel');
  }
  if (stateDict === null || typeof stateDict !== 'object') throw new Error('loadStateDict: expected a state dict object');
  const source = options.source ?? 'torchvision';
  if (source !== 'torchvision' && source !== 'timm') {
    throw new Error(`loadStateDict: source must be 'torchvision' or 'timm', got '${String(source)}'`);
  }
  const strict = options.strict ?? true;
  const params = torchParameters(model);

  const batchNormLayers = new Set(model.layers.filter((l) => BATCH_NORM_CLASS_NAMES.has(l.getClassName())).map((l) => l.name));
  const ignorable = new Set([...batchNormLayers].map((name) => `${name}.num_batches_tracked`));

  let toTorchvision = (key: string): string => key;
  if (source === 'timm') {
    const architecture = timmArchitectureOf(model);
    if (architecture === null) {
      throw new Error(`loadStateDict: timm names are defined for resnet18, mobilenetv2_100 and efficientnet_b3, not for ${model.name}`);
    }
    const renames = new Map<string, string>();
    for (const key of [...params.map((p) => p.key), ...ignorable]) {
      const timmKey = torchvisionToTimmKey(architecture, key);
      if (timmKey !== null) renames.set(timmKey, key);
    }
    toTorchvision = (key) => renames.get(key) ?? key;
  }

  const byTorchKey = new Map<string, { sourceKey: string; tensor: TensorData }>();
  for (const [sourceKey, tensor] of Object.entries(stateDict)) {
    byTorchKey.set(toTorchvision(sourceKey), { sourceKey, tensor });
  }

  const stem = params.find((p) => p.layout === 'conv');
  const missing: string[] = [];
  const mismatched: MismatchedKey[] = [];
  const plan: PlannedCopy[] = [];
  const consumed = new Set<string>();
  for (const param of params) {
    const entry = byTorchKey.get(param.key);
    if (!entry) {
      missing.push(param.key);
      continue;
    }
    consumed.add(entry.sourceKey);
    const { tensor } = entry;
    if (!(tensor.data instanceof Float32Array)) {
      throw new Error(`loadStateDict: ${entry.sourceKey}: expected a floating-point tensor, got ${tensor.dtype}`);
    }
    const elements = tensor.shape.reduce((a, b) => a * b, 1);
    if (tensor.data.length !== elements) {
      throw new Error(`loadStateDict: ${entry.sourceKey}: shape [${tensor.shape.join(', ')}] needs ${elements} values, got ${tensor.data.length}`);
    }
    const expected = param.torchShape;
    if (sameShape(tensor.shape, expected)) {
      plan.push({ param, tensor, sumInputChannels: false });
    } else if (
      param === stem &&
      expected[1] === 1 &&
      tensor.shape[1] === 3 &&
      sameShape([tensor.shape[0]!, 1, tensor.shape[2]!, tensor.shape[3]!], expected)
    ) {
      plan.push({ param, tensor, sumInputChannels: true });
    } else {
      mismatched.push({ key: param.key, expected: [...expected], got: [...tensor.shape] });
    }
  }
  for (const [torchKey, { sourceKey }] of byTorchKey) {
    if (ignorable.has(torchKey)) consumed.add(sourceKey);
  }
  const unexpected = Object.keys(stateDict).filter((k) => !consumed.has(k));

  if (strict && (missing.length || unexpected.length || mismatched.length)) {
    throw new Error(describeErrors(model.name, missing, unexpected, mismatched));
  }
  // Non-strict loading exists to skip a head, not to skip everything: a checkpoint of another architecture
  // (or another naming) would otherwise leave the model at its random initialisation without a word.
  if (plan.length === 0 && params.length > 0) {
    const hint = source === 'torchvision' ? " If it comes from timm, pass { source: 'timm' }." : '';
    throw new Error(
      `loadStateDict: none of the ${params.length} parameters of ${model.name} could be loaded from the state dict ` +
        `(${Object.keys(stateDict).length} tensors): is it a checkpoint of another architecture?${hint}\n` +
        describeErrors(model.name, missing.slice(0, 5), unexpected.slice(0, 5), mismatched.slice(0, 5)).split('\n').slice(1).join('\n'),
    );
  }
  for (const { param, tensor, sumInputChannels: sumRgb } of plan) {
    let torch = { data: tensor.data as Float32Array, shape: tensor.shape };
    if (sumRgb) torch = sumInputChannels(torch.data, torch.shape);
    const converted = torchToTfjs(torch.data, torch.shape, param.layout);
    const t = tf.tensor(converted.data, converted.shape, 'float32');
    param.variable.write(t);
    t.dispose();
  }
  return { missing, unexpected, mismatched, loaded: plan.map((p) => p.param.key) };
}
