import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createCustomCnn } from './custom-cnn';
import { createEfficientNetB3 } from './efficientnet-b3';
import { createMobileNetV2 } from './mobilenet-v2';
import { getModelSpec, MODEL_NAMES } from './model-spec';
import { createModel } from './create-model';
import { createResNet18 } from './resnet18';
import { getLayerByTorchName, toTorchShape } from './torch-names';

describe('getLayerByTorchName', () => {
  let resnet: tfl.LayersModel;
  let mobilenet: tfl.LayersModel;
  let efficientnet: tfl.LayersModel;
  beforeAll(() => {
    resnet = createResNet18({ inputSize: 32 });
    mobilenet = createMobileNetV2({ inputSize: 32 });
    efficientnet = createEfficientNetB3({ inputSize: 32 });
  });
  afterAll(() => [resnet, mobilenet, efficientnet].forEach((m) => m.dispose()));

  test('an exact module name gives that layer', () => {
    expect(getLayerByTorchName(resnet, 'layer4.1.conv2').getClassName()).toBe('Conv2D');
    expect(getLayerByTorchName(mobilenet, 'features.18.0').getClassName()).toBe('Conv2D');
    expect(getLayerByTorchName(mobilenet, 'features.5.conv.1.0').getClassName()).toBe('DepthwiseConv2D');
    expect(getLayerByTorchName(efficientnet, 'features.3.1.block.2.fc1').getClassName()).toBe('Conv2D');
  });

  test('a container module gives the layer producing its output, as a forward hook sees it', () => {
    expect(getLayerByTorchName(efficientnet, 'features.8').name).toBe('features.8.2'); // after SiLU
    expect(getLayerByTorchName(mobilenet, 'features.18').name).toBe('features.18.2'); // after ReLU6
    expect(getLayerByTorchName(resnet, 'layer4.1').name).toBe('layer4.1.relu_out'); // after add + ReLU
    expect(getLayerByTorchName(mobilenet, 'features.3').name).toBe('features.3.add'); // residual block
    expect(getLayerByTorchName(efficientnet, 'features.2.0.block.2').name).toBe('features.2.0.block.2.scale'); // SE
  });

  test('the default Grad-CAM and feature layers exist in every model', () => {
    for (const name of MODEL_NAMES) {
      const spec = getModelSpec(name);
      const model = name === 'cnn' ? createCustomCnn() : name === 'resnet18' ? resnet : name === 'mobilenetv2' ? mobilenet : efficientnet;
      // The last block's output: the last layer whose output is still a spatial map, right before the pooling.
      const target = getLayerByTorchName(model, spec.gradCamLayer);
      const next = model.layers[model.layers.indexOf(target) + 1]!;
      expect(target.outputShape).toHaveLength(4);
      expect(['GlobalAveragePooling2D', 'Permute']).toContain(next.getClassName());
      expect(getLayerByTorchName(model, spec.featureLayer)).toBeDefined();
      expect(getLayerByTorchName(model, spec.headLayer).getClassName()).toBe('Dense');
      if (name === 'cnn') model.dispose();
    }
  });

  test('unknown names fail with the torch name and nearby modules', () => {
    expect(() => getLayerByTorchName(resnet, 'layer5.0.conv1')).toThrow("getLayerByTorchName: resnet18 has no module 'layer5.0.conv1'");
    expect(() => getLayerByTorchName(resnet, 'layer4.1.conv9')).toThrow(/nearby: .*layer4\.1\.conv1/);
    expect(() => getLayerByTorchName(resnet, '')).toThrow('getLayerByTorchName: expected a non-empty module name');
  });

  test('"layer1.1" does not resolve into "layer1.10"-like siblings', () => {
    const cnn = createModel('cnn', { inputSize: 16, variant: 'text' });
    expect(getLayerByTorchName(cnn, 'features.1').getClassName()).toBe('TorchBatchNorm');
    expect(() => getLayerByTorchName(cnn, 'features.1.0')).toThrow();
    cnn.dispose();
  });
});

describe('toTorchShape', () => {
  test('HWIO → OIHW, depthwise, linear, vectors', () => {
    expect(toTorchShape([3, 5, 7, 11], 'conv')).toEqual([11, 7, 3, 5]);
    expect(toTorchShape([3, 3, 96, 1], 'depthwise')).toEqual([96, 1, 3, 3]);
    expect(toTorchShape([512, 2], 'linear')).toEqual([2, 512]);
    expect(toTorchShape([64], 'vector')).toEqual([64]);
  });
});
