import { parsePerModelValue } from './per-model-budget';

describe('parsePerModelValue', () => {
  it('reads one number for every model', () => {
    expect(parsePerModelValue('--epochs', '10')).toBe(10);
  });

  it('reads model=n pairs', () => {
    expect(parsePerModelValue('--max-train-images', 'resnet18=512, mobilenetv2=384')).toEqual({ resnet18: 512, mobilenetv2: 384 });
  });

  it.each([
    ['0', /positive integer/],
    ['1.5', /positive integer/],
    ['', /positive integer/],
    ['vgg=3', /unknown model 'vgg'/],
    ['cnn=2,cnn=3', /cnn is given twice/],
    ['cnn=', /positive integer/],
    ['cnn=1=2', /expected model=n/],
  ])('rejects %p naming the flag', (text, message) => {
    expect(() => parsePerModelValue('--epochs', text)).toThrow(message);
    expect(() => parsePerModelValue('--epochs', text)).toThrow(/--epochs/);
  });
});
