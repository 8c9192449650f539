import { hostName, isAllowedHost } from './host-check';

describe('isAllowedHost', () => {
  test('IP literals and localhost pass, with or without a port', () => {
    for (const header of ['127.0.0.1:8080', '127.0.0.1', '[::1]:8080', '[::1]', 'localhost:8080', 'LOCALHOST', '10.1.2.3:80', 'app.localhost:1']) {
      expect(isAllowedHost(header)).toBe(true);
    }
  });

  test('any other name is refused unless allowed: a rebinding page arrives under its own domain', () => {
    expect(isAllowedHost('attacker.example:8080')).toBe(false);
    expect(isAllowedHost('localhost.attacker.example')).toBe(false);
    expect(isAllowedHost('xray.hospital.internal:8080', ['xray.hospital.internal'])).toBe(true);
    expect(isAllowedHost('XRAY.hospital.internal.', ['xray.hospital.internal'])).toBe(true);
  });

  test('a missing or malformed header is refused', () => {
    for (const header of [undefined, '', 'a b', 'user@127.0.0.1', '[::1', '[::1]x', '127.0.0.1:80:80', 'x/y']) {
      expect(isAllowedHost(header)).toBe(false);
    }
    expect(hostName('[::1]:80')).toBe('::1');
  });
});
