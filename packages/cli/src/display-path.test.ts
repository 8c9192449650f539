import { displayPath } from './display-path';

describe('displayPath', () => {
  test('ordinary names, spaces and non-ASCII letters are shown as they are', () => {
    for (const name of ['/x/a.png', '/x/not fractured/b c.png', '/x/Röntgen-Ω.png', 'C:\\scans\\a.png']) expect(displayPath(name)).toBe(name);
  });

  test('a newline, carriage return, tab or escape is quoted and escaped, so one name stays one line', () => {
    expect(displayPath('/x/a\nb.png')).toBe('"/x/a\\nb.png"');
    expect(displayPath('/x/a\rb.png')).toBe('"/x/a\\rb.png"');
    expect(displayPath('/x/\u001b[2Jb.png')).toBe('"/x/\\u001b[2Jb.png"');
    for (const name of ['a\nb', 'a\u2028b', 'a\u0085b']) expect(displayPath(name)).not.toMatch(/[\n\u2028\u0085]/);
    // Quoted names read back exactly.
    expect(JSON.parse(displayPath('/x/"a"\n.png'))).toBe('/x/"a"\n.png');
  });
});
