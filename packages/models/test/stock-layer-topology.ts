import * as tfl from '@tensorflow/tfjs-layers';

type Json = { [key: string]: unknown };

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A model's topology JSON as it was saved before this package had its own layer classes:
 * TorchBatchNorm → BatchNormalization, StemConv2D → Conv2D, TorchReLU6 → Activation('relu6'),
 * TorchSiLU → Activation('swish').
 * The configs of the first two are the stock layers' already.
 */
export function withStockLayerClasses(topology: unknown): unknown {
  if (Array.isArray(topology)) return topology.map(withStockLayerClasses);
  if (!isObject(topology)) return topology;
  const out: Json = Object.fromEntries(Object.entries(topology).map(([k, v]) => [k, withStockLayerClasses(v)]));
  if (out['class_name'] === 'TorchBatchNorm') out['class_name'] = 'BatchNormalization';
  if (out['class_name'] === 'StemConv2D') out['class_name'] = 'Conv2D';
  const activation = { TorchReLU6: 'relu6', TorchSiLU: 'swish' }[out['class_name'] as string];
  if (activation !== undefined && isObject(out['config'])) {
    out['class_name'] = 'Activation';
    out['config'] = { ...out['config'], activation };
  }
  return out;
}

/** The same network built from tfjs-layers' stock classes, with a copy of `model`'s weights. */
export async function stockLayerCopy(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  const modelTopology = withStockLayerClasses(model.toJSON(null, false));
  const copy = await tfl.models.modelFromJSON({ modelTopology } as Parameters<typeof tfl.models.modelFromJSON>[0]);
  copy.setWeights(model.getWeights());
  return copy;
}
