import { parsePerModelFiles, parsePerModelValue } from './per-model-budget';

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

describe('parsePerModelFiles', () => {
  it('reads model=file pairs, keeping any further = in the path', () => {
    expect(parsePerModelFiles('--weights', 'resnet18=/w/resnet18-f37072fd.pth, efficientnet-b3=/w/a=b.safetensors')).toEqual({
      resnet18: '/w/resnet18-f37072fd.pth',
      'efficientnet-b3': '/w/a=b.safetensors',
    });
  });

  it.each([
    ['/w/resnet18.pth', /expected model=file pairs \(each model its own weights\)/],
    ['resnet18=', /expected model=file pairs/],
    ['vgg=/w/x.pth', /unknown model 'vgg'/],
    ['cnn=/a,cnn=/b', /cnn is given twice/],
  ])('rejects %p naming the flag', (text, message) => {
    expect(() => parsePerModelFiles('--weights', text)).toThrow(message);
    expect(() => parsePerModelFiles('--weights', text)).toThrow(/--weights/);
  });
});
