import { formatCliError } from './cli-error';

describe('formatCliError', () => {
  test('explains a wasm heap trap instead of printing the bare trap', () => {
    expect(formatCliError(new Error('memory access out of bounds'))).toMatch(/^fracture: wasm backend: a kernel failed with "memory access out of bounds".*smaller batches/);
  });

  test('keeps every other message as it is', () => {
    expect(formatCliError(new Error("train: unknown model 'vgg'"))).toBe("fracture: train: unknown model 'vgg'");
    expect(formatCliError('plain text')).toBe('fracture: plain text');
  });
});
