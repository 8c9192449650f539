import { sourceGroupKey, sourceIdFromFileName } from './source-id';

describe('sourceIdFromFileName', () => {
  test('the leading number of rotated copies and of the original agree', () => {
    expect(sourceIdFromFileName('12-rotated1-rotated2.jpg')).toBe('12');
    expect(sourceIdFromFileName('12.jpg')).toBe('12');
    expect(sourceIdFromFileName('/data/train/not fractured/12-rotated3.jpg')).toBe('12');
    expect(sourceIdFromFileName('012.png')).toBe('12');
  });

  test('names without a leading number are their own source', () => {
    expect(sourceIdFromFileName('IMG12.jpg')).toBe('IMG12');
    expect(sourceIdFromFileName('12abc.jpg')).toBe('12abc');
    expect(sourceIdFromFileName('patient.a.dcm')).toBe('patient.a');
    expect(sourceIdFromFileName('noext')).toBe('noext');
  });

  test('group keys separate classes and cannot collide through separators', () => {
    expect(sourceGroupKey('fractured', '4')).not.toBe(sourceGroupKey('not fractured', '4'));
    expect(sourceGroupKey('a,b', 'c')).not.toBe(sourceGroupKey('a', 'b,c'));
  });
});
