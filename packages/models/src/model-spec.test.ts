import { getModelSpec, isModelName, MODEL_NAMES } from './model-spec';
import type { ModelName } from './model-types';

describe('getModelSpec', () => {
  test('MODEL_NAMES lists the four models of the study', () => {
    expect([...MODEL_NAMES]).toEqual(['cnn', 'resnet18', 'efficientnet-b3', 'mobilenetv2']);
  });

  // Expected values transcribed from docs/paper.md ("What the authors' published notebook actually did").
  test.each([
    ['cnn', 224, 1e-3, 0, 'pool2', false, false],
    ['resnet18', 224, 1e-4, 1e-4, 'layer4', true, true],
    ['efficientnet-b3', 300, 1e-4, 1e-4, 'features.8', true, true],
    ['mobilenetv2', 224, 1e-3, 0, 'features.18', true, false],
  ] as const)('%s: input %i, lr %d, wd %d, Grad-CAM %s', (name, size, lr, wd, gradCam, pretrained, pretrainedInStudy) => {
    const spec = getModelSpec(name);
    expect(spec.name).toBe(name);
    expect(spec.inputSize).toBe(size);
    expect(spec.learningRate).toBe(lr);
    expect(spec.weightDecay).toBe(wd);
    expect(spec.gradCamLayer).toBe(gradCam);
    expect(spec.pretrained).toBe(pretrained);
    expect(spec.pretrainedInStudy).toBe(pretrainedInStudy);
    expect(spec.batchSize).toBe(32);
    expect(spec.epochs).toBe(10);
    expect(spec.channels).toBe(3);
    expect([...spec.mean]).toEqual([0.485, 0.456, 0.406]);
    expect([...spec.std]).toEqual([0.229, 0.224, 0.225]);
    expect(spec.source.length).toBeGreaterThan(20);
  });

  test('published parameter counts (Table 1 and the notebook)', () => {
    expect(getModelSpec('cnn').parameters).toBe(5_610_222);
    expect(getModelSpec('resnet18').parameters).toBe(11_177_538);
    expect(getModelSpec('efficientnet-b3').parameters).toBe(10_699_306);
    expect(getModelSpec('mobilenetv2').parameters).toBe(2_226_434);
  });

  test('a returned spec is a copy: mutating it does not change the registry', () => {
    const spec = getModelSpec('resnet18');
    spec.learningRate = 42;
    expect(getModelSpec('resnet18').learningRate).toBe(1e-4);
  });

  test('isModelName accepts exactly the registry names', () => {
    expect(MODEL_NAMES.every((n) => isModelName(n))).toBe(true);
    expect(isModelName('efficientnet_b3')).toBe(false);
    expect(isModelName('ResNet18')).toBe(false);
    expect(isModelName(undefined)).toBe(false);
  });

  test('unknown names are rejected with the function name and the valid names', () => {
    expect(() => getModelSpec('vgg16' as ModelName)).toThrow(
      "getModelSpec: unknown model 'vgg16', expected one of cnn, resnet18, efficientnet-b3, mobilenetv2",
    );
  });
});
