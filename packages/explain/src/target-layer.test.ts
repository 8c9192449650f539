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
  test('the default is the last spatial [N, h, w, C] output before pooling, found inside nested models too', () => {
    const model = branchyModel(1);
    expect(flattenLayers(model).map((l) => l.name)).toContain('nested_conv');
    // nested_conv is followed by the nested global pooling; nothing after it is spatial.
    expect(defaultTargetLayer(model).name).toBe('nested_conv');
    const block = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),
        tfl.layers.depthwiseConv2d({ kernelSize: 3, name: 'dw' }),
        tfl.layers.activation({ activation: 'relu', name: 'block_out' }),
        tfl.layers.permute({ dims: [3, 1, 2], name: 'to_chw' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    // The block's output after its activation, not the convolution inside it; a layout change is not a block.
    expect(defaultTargetLayer(block).name).toBe('block_out');
  });

  test('a torchvision container name resolves to its output, the last layer inside it', () => {
    const input = tfl.input({ shape: [8, 8, 1] });
    let x = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'layer4.0.conv1' }).apply(input) as tfl.SymbolicTensor;
    x = tfl.layers.activation({ activation: 'relu', name: 'layer4.0.relu' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'layer4.1.conv2' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.activation({ activation: 'relu', name: 'layer4.1.relu_out' }).apply(x) as tfl.SymbolicTensor;
    const pooled = tfl.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ name: 'torchlike', inputs: input, outputs: tfl.layers.dense({ units: 2, name: 'layer40' }).apply(pooled) as tfl.SymbolicTensor });
    expect(resolveTargetLayer(model, 'layer4', 'gradCam').name).toBe('layer4.1.relu_out');
    expect(resolveTargetLayer(model, 'layer4.0', 'gradCam').name).toBe('layer4.0.relu');
    expect(resolveTargetLayer(model, 'layer4.1.conv2', 'gradCam').name).toBe('layer4.1.conv2');
    expect(resolveTargetLayer(model, 'layer4', 'gradCam')).toBe(defaultTargetLayer(model));
    expect(() => resolveTargetLayer(model, 'layer3', 'gradCam')).toThrow("gradCam: model torchlike has no layer named 'layer3'");
    model.dispose();
  });

  test("@fracture/models' StemConv2D (a model's first convolution) is found like any spatial layer", () => {
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
    expect(() => defaultTargetLayer(flat)).toThrow(/defaultTargetLayer: model .* has no layer with a spatial \[N, h, w, C\] output; pass options.layer/);
  });

  const models = loadModelsApi();
  const testWithModels = typeof models === 'string' ? test.skip : test;
  if (typeof models === 'string') console.warn(`registry check skipped: ${models}`);
  testWithModels("equals the registry's gradCamLayer for the custom CNN (the other three are checked by the parity test)", () => {
    const api = loadModelsApi();
    if (typeof api === 'string') return;
    const model = api.createModel('cnn', { inputSize: 32 });
    expect(defaultTargetLayer(model)).toBe(resolveTargetLayer(model, api.getModelSpec('cnn').gradCamLayer, 'test'));
    expect(defaultTargetLayer(model).name).toBe('pool2');
    model.dispose();
  });
});
