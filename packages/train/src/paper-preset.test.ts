import { paperPreset } from './paper-preset';

describe('paperPreset', () => {
  test("'code' follows the authors' notebook per model (see /work/shared/docs/paper.md)", () => {
    expect(paperPreset('resnet18')).toMatchObject({
      epochs: 10,
      batchSize: 32,
      optimizer: { type: 'adam', lr: 1e-4, weightDecay: 1e-4, decoupled: false },
      earlyStopping: false,
      keep: 'last',
      inputSize: 224,
    });
    expect(paperPreset('efficientnet-b3').optimizer).toEqual({ type: 'adam', lr: 1e-4, weightDecay: 1e-4, decoupled: false });
    expect(paperPreset('efficientnet-b3').inputSize).toBe(300);
    expect(paperPreset('cnn').optimizer).toEqual({ type: 'adam', lr: 1e-3, weightDecay: 0, decoupled: false });
    expect(paperPreset('mobilenetv2').optimizer.lr).toBe(1e-3);
  });

  test("'text' uses lr 0.001 for every model with early stopping", () => {
    for (const name of ['cnn', 'resnet18', 'efficientnet-b3', 'mobilenetv2'] as const) {
      const preset = paperPreset(name, { variant: 'text' });
      expect(preset.optimizer.lr).toBe(1e-3);
      expect(preset.epochs).toBe(10);
      expect(preset.batchSize).toBe(32);
      expect(preset.earlyStopping).toMatchObject({ monitor: 'val_loss', restoreBestWeights: true });
    }
  });

  test('rejects unknown models and variants', () => {
    expect(() => paperPreset('vgg' as 'cnn')).toThrow("paperPreset: unknown model 'vgg'");
    expect(() => paperPreset('cnn', { variant: 'x' as 'code' })).toThrow("paperPreset: expected variant 'code' or 'text', got 'x'");
  });
});
