import '@tensorflow/tfjs-backend-cpu';
import { createCustomCnn } from './custom-cnn';
import { createEfficientNetB3 } from './efficientnet-b3';
import { createMobileNetV2 } from './mobilenet-v2';
import { createResNet18 } from './resnet18';
import { timmArchitectureOf, torchvisionToTimmKey } from './timm-names';
import { torchStateDictShapes } from './torch-names';

// Expected names written from timm's EfficientNet-family modules (`_gen_mobilenet_v2`,
// `_gen_efficientnet`: conv_stem / bn1 / blocks.<stage>.<block> / conv_head / bn2 / classifier;
// DepthwiseSeparableConv: conv_dw, bn1, se, conv_pw, bn2; InvertedResidual: conv_pw, bn1, conv_dw,
// bn2, se, conv_pwl, bn3; SqueezeExcite: conv_reduce, conv_expand).
describe('torchvisionToTimmKey', () => {
  test.each([
    ['features.0.0.weight', 'conv_stem.weight'],
    ['features.0.1.running_mean', 'bn1.running_mean'],
    ['features.1.conv.0.0.weight', 'blocks.0.0.conv_dw.weight'],
    ['features.1.conv.0.1.bias', 'blocks.0.0.bn1.bias'],
    ['features.1.conv.1.weight', 'blocks.0.0.conv_pw.weight'],
    ['features.1.conv.2.running_var', 'blocks.0.0.bn2.running_var'],
    ['features.2.conv.0.0.weight', 'blocks.1.0.conv_pw.weight'],
    ['features.3.conv.1.0.weight', 'blocks.1.1.conv_dw.weight'],
    ['features.7.conv.1.1.weight', 'blocks.3.0.bn2.weight'],
    ['features.13.conv.2.weight', 'blocks.4.2.conv_pwl.weight'],
    ['features.14.conv.3.bias', 'blocks.5.0.bn3.bias'],
    ['features.17.conv.2.weight', 'blocks.6.0.conv_pwl.weight'],
    ['features.18.0.weight', 'conv_head.weight'],
    ['features.18.1.weight', 'bn2.weight'],
    ['classifier.1.weight', 'classifier.weight'],
  ])('mobilenetv2_100: %s → %s', (torchvision, timm) => {
    expect(torchvisionToTimmKey('mobilenetv2_100', torchvision)).toBe(timm);
  });

  test.each([
    ['features.0.0.weight', 'conv_stem.weight'],
    ['features.1.0.block.0.0.weight', 'blocks.0.0.conv_dw.weight'],
    ['features.1.1.block.1.fc1.weight', 'blocks.0.1.se.conv_reduce.weight'],
    ['features.1.1.block.1.fc2.bias', 'blocks.0.1.se.conv_expand.bias'],
    ['features.1.0.block.2.0.weight', 'blocks.0.0.conv_pw.weight'],
    ['features.1.0.block.2.1.weight', 'blocks.0.0.bn2.weight'],
    ['features.2.0.block.0.0.weight', 'blocks.1.0.conv_pw.weight'],
    ['features.2.2.block.1.0.weight', 'blocks.1.2.conv_dw.weight'],
    ['features.4.4.block.2.fc1.weight', 'blocks.3.4.se.conv_reduce.weight'],
    ['features.6.5.block.3.1.running_var', 'blocks.5.5.bn3.running_var'],
    ['features.8.0.weight', 'conv_head.weight'],
    ['features.8.1.bias', 'bn2.bias'],
    ['classifier.1.bias', 'classifier.bias'],
  ])('efficientnet_b3: %s → %s', (torchvision, timm) => {
    expect(torchvisionToTimmKey('efficientnet_b3', torchvision)).toBe(timm);
  });

  test('resnet18: the same keys, the study head fc.1 is timm\'s fc', () => {
    expect(torchvisionToTimmKey('resnet18', 'layer3.1.bn2.running_var')).toBe('layer3.1.bn2.running_var');
    expect(torchvisionToTimmKey('resnet18', 'layer2.0.downsample.0.weight')).toBe('layer2.0.downsample.0.weight');
    expect(torchvisionToTimmKey('resnet18', 'fc.1.weight')).toBe('fc.weight');
  });

  test('every key of our models maps to a distinct timm key', () => {
    const cases = [
      ['mobilenetv2_100', createMobileNetV2({ inputSize: 32 })],
      ['efficientnet_b3', createEfficientNetB3({ inputSize: 32 })],
    ] as const;
    for (const [arch, model] of cases) {
      expect(timmArchitectureOf(model)).toBe(arch);
      const keys = Object.keys(torchStateDictShapes(model));
      const mapped = keys.map((k) => torchvisionToTimmKey(arch, k));
      expect(mapped.every((k) => k !== null)).toBe(true);
      expect(new Set(mapped).size).toBe(keys.length);
      model.dispose();
    }
    const resnet = createResNet18({ inputSize: 32 });
    expect(timmArchitectureOf(resnet)).toBe('resnet18');
    resnet.dispose();
    const cnn = createCustomCnn({ inputSize: 16 });
    expect(timmArchitectureOf(cnn)).toBeNull();
    cnn.dispose();
  });

  test('keys with no timm counterpart give null', () => {
    expect(torchvisionToTimmKey('mobilenetv2_100', 'features.19.conv.0.0.weight')).toBeNull();
    expect(torchvisionToTimmKey('efficientnet_b3', 'features.2.0.block.9.0.weight')).toBeNull();
  });
});
