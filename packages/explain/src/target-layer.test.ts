import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { defaultTargetLayer, flattenLayers, resolveTargetLayer } from './target-layer';
import { loadModelsApi } from './testing/models-api';
import { branchyModel } from './testing/test-models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('target layer resolution', () => {
  test('the default is the last convolution, found inside nested models too', () => {
    const model = branchyModel(1);
    expect(flattenLayers(model).map((l) => l.name)).toContain('nested_conv');
    expect(defaultTargetLayer(model).name).toBe('nested_conv');
    const depthwise = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),
        tfl.layers.depthwiseConv2d({ kernelSize: 3, name: 'dw' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    expect(defaultTargetLayer(depthwise).name).toBe('dw');
  });

  test("@fracture/models' StemConv2D (a model's first convolution) counts as a convolution", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { StemConv2D } = require('@fracture/models') as { StemConv2D: new (args: object) => tfl.layers.Layer };
    const model = tfl.sequential({
      layers: [
        new StemConv2D({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, name: 'stem' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    expect(defaultTargetLayer(model).name).toBe('stem');
    model.dispose();
  });

  test('names and layer objects resolve; wrong names, foreign layers and non-spatial layers are refused', () => {
    const model = branchyModel(2);
    const stem = model.getLayer('stem');
    expect(resolveTargetLayer(model, 'stem', 'gradCam')).toBe(stem);
    expect(resolveTargetLayer(model, stem, 'gradCam')).toBe(stem);
    expect(() => resolveTargetLayer(model, 'conv9', 'gradCam')).toThrow(
      /gradCam: model branchy has no layer named 'conv9' \(last conv layers: stem, target, nested_conv\)/,
    );
    const foreign = branchyModel(3).getLayer('stem');
    expect(() => resolveTargetLayer(model, foreign, 'gradCam')).toThrow(/gradCam: layer stem is not part of model branchy/);
    expect(() => resolveTargetLayer(model, 'logits', 'gradCam')).toThrow(/gradCam: layer logits must output a rank-4 \[N, h, w, C\] tensor/);
    const flat = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 2 })] });
    expect(() => defaultTargetLayer(flat)).toThrow(/defaultTargetLayer: model .* has no Conv2D layer; pass options.layer/);
  });

  const models = loadModelsApi();
  const testWithModels = typeof models === 'string' ? test.skip : test;
  if (typeof models === 'string') console.warn(`registry check skipped: ${models}`);
  testWithModels("equals the registry's gradCamLayer for the custom CNN (the other three are checked by the parity test)", () => {
    const api = loadModelsApi();
    if (typeof api === 'string') return;
    const model = api.createModel('cnn', { inputSize: 32 });
    expect(defaultTargetLayer(model).name).toBe(api.getModelSpec('cnn').gradCamLayer);
    model.dispose();
  });
});
