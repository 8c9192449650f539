import type * as tfl from '@tensorflow/tfjs-layers';

type LayerVariable = tfl.LayersModel['weights'][number];
type Layer = tfl.LayersModel['layers'][number];

/** How a tfjs weight is laid out relative to its PyTorch tensor. */
export type WeightLayout = 'conv' | 'depthwise' | 'linear' | 'vector';

/** One PyTorch state-dict entry of a model and the tfjs variable that holds it. */
export interface TorchParameter {
  /** State-dict key, e.g. `layer1.0.conv1.weight`. */
  key: string;
  /** Layer (torch module) name, e.g. `layer1.0.conv1`. */
  layerName: string;
  variable: LayerVariable;
  layout: WeightLayout;
  /** Shape in PyTorch layout. */
  torchShape: number[];
}

// tfjs weight suffix → torch parameter / buffer name.
const TORCH_SUFFIX: Readonly<Record<string, string>> = {
  kernel: 'weight',
  depthwise_kernel: 'weight',
  bias: 'bias',
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'running_mean',
  moving_variance: 'running_var',
};

// tfjs-layers' Conv2D and this package's subclass of it, which keeps its weight layout.
const CONV_CLASS_NAMES: ReadonlySet<string> = new Set(['Conv2D', 'StemConv2D']);

/** Class names of batch-norm layers: tfjs-layers' own (models saved before TorchBatchNorm) and TorchBatchNorm. */
export const BATCH_NORM_CLASS_NAMES: ReadonlySet<string> = new Set(['BatchNormalization', 'TorchBatchNorm']);

function layoutOf(className: string, suffix: string): WeightLayout {
  if (suffix === 'kernel' && CONV_CLASS_NAMES.has(className)) return 'conv';
  if (suffix === 'depthwise_kernel') return 'depthwise';
  if (suffix === 'kernel' && className === 'Dense') return 'linear';
  return 'vector';
}

/** PyTorch shape of a tfjs weight: HWIO → OIHW, depthwise [kh, kw, C, 1] → [C, 1, kh, kw], [in, out] → [out, in]. */
export function toTorchShape(shape: readonly number[], layout: WeightLayout): number[] {
  switch (layout) {
    case 'conv':
      return [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
    case 'depthwise':
      return [shape[2]! * shape[3]!, 1, shape[0]!, shape[1]!];
    case 'linear':
      return [shape[1]!, shape[0]!];
    case 'vector':
      return [...shape];
  }
}

/**
 * The model's PyTorch state-dict entries in layer order. Layer names are torch module paths, so
 * the key is `<layer name>.<torch parameter name>`. BatchNorm's `num_batches_tracked` has no tfjs
 * counterpart and is not listed.
 */
export function torchParameters(model: tfl.LayersModel): TorchParameter[] {
  const out: TorchParameter[] = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    for (const variable of layer.weights) {
      // originalName is `<layer>/<suffix>` and, unlike `name`, never carries tfjs's `_1` uniquifier.
      const suffix = variable.originalName.slice(variable.originalName.lastIndexOf('/') + 1);
      const torchSuffix = TORCH_SUFFIX[suffix];
      if (torchSuffix === undefined) {
        throw new Error(`torchParameters: layer '${layer.name}' has weight '${suffix}' with no PyTorch counterpart`);
      }
      const layout = layoutOf(className, suffix);
      out.push({
        key: `${layer.name}.${torchSuffix}`,
        layerName: layer.name,
        variable,
        layout,
        torchShape: toTorchShape(variable.shape as number[], layout),
      });
    }
  }
  return out;
}

/** The model's state-dict keys with their PyTorch shapes, like `{k: v.shape for k, v in model.state_dict().items()}`. */
export function torchStateDictShapes(model: tfl.LayersModel): Record<string, number[]> {
  return Object.fromEntries(torchParameters(model).map((p) => [p.key, p.torchShape]));
}

/**
 * The layer for a PyTorch module path: an exact layer name (`layer4.1.conv2`, `features.18.0`), or
 * a container module (`features.18`, `layer4.1`), which resolves to the layer producing that
 * module's output, as a forward hook on it would see.
 */
export function getLayerByTorchName(model: tfl.LayersModel, torchName: string): Layer {
  if (typeof torchName !== 'string' || torchName.length === 0) {
    throw new Error('getLayerByTorchName: expected a non-empty module name');
  }
  const exact = model.layers.find((l) => l.name === torchName);
  if (exact) return exact;
  const prefix = `${torchName}.`;
  const inside = model.layers.filter((l) => l.name.startsWith(prefix));
  if (inside.length > 0) return inside[inside.length - 1]!;
  const parent = torchName.includes('.') ? torchName.slice(0, torchName.lastIndexOf('.') + 1) : '';
  const siblings = model.layers
    .map((l) => l.name)
    .filter((n) => n.startsWith(parent) && n !== 'input')
    .slice(0, 8);
  throw new Error(
    `getLayerByTorchName: ${model.name} has no module '${torchName}'${siblings.length ? `; nearby: ${siblings.join(', ')}` : ''}`,
  );
}
