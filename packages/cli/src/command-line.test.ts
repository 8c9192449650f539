import { execFileSync } from 'node:child_process';
import { formatCommandLine } from './command-line';

describe('formatCommandLine', () => {
  test('leaves plain arguments bare and quotes the rest', () => {
    expect(formatCommandLine(['reproduce', '--epochs', 'cnn=10,resnet18=1', '--out', 'docs/reproduction'])).toBe('reproduce --epochs cnn=10,resnet18=1 --out docs/reproduction');
    expect(formatCommandLine(['--note', 'two processes'])).toBe("--note 'two processes'");
    expect(formatCommandLine([''])).toBe("''");
  });

  test('a POSIX shell splits the result back into the same arguments', () => {
    const args = ['plain', 'with space', "it's", 'quote"d', '$HOME', 'a\\b', '', 'not fractured/x.jpg'];
    const echoed = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${formatCommandLine(args)}`], { encoding: 'utf8' });
    expect(echoed.split('\n').slice(0, -1)).toEqual(args);
  });
});
