import * as path from 'node:path';
import { portableRelativePath } from './portable-path';

describe('portableRelativePath', () => {
  test('names a file below the folder, and one beside it, relative to the folder with /', () => {
    const root = path.join(path.sep, 'data', 'fracture-xray');
    expect(portableRelativePath(root, path.join(root, 'train', 'not fractured', '1.jpg'))).toBe('train/not fractured/1.jpg');
    expect(portableRelativePath(path.join(root, 'partial', 'model'), path.join(root, 'checkpoints', 'last'))).toBe('../../checkpoints/last');
  });

  test('resolves relative inputs against the working folder first', () => {
    expect(portableRelativePath('data', path.join(process.cwd(), 'data', 'a.png'))).toBe('a.png');
  });
});
