import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { crc32, readZipEntries } from './zip-reader';

const torchFile = new Uint8Array(readFileSync(join(__dirname, '..', 'test', 'fixtures', 'weights', 'module.pth')));

describe('readZipEntries', () => {
  test('lists a torch.save archive (zip64 records) and returns stored entries as views', () => {
    const entries = readZipEntries(torchFile, 'ctx');
    expect([...entries.keys()]).toContain('module/data.pkl');
    expect([...entries.keys()]).toContain('module/version');
    const version = entries.get('module/version')!;
    expect(version.method).toBe(0);
    expect(new TextDecoder().decode(version.read()).trim()).toBe('3');
    expect(version.read().buffer).toBe(torchFile.buffer); // no copy for stored entries
  });

  test('reads stored and deflated entries written by another implementation (fflate)', () => {
    const text = 'weights '.repeat(500);
    const archive = zipSync({ 'a/deflated.txt': [strToU8(text), { level: 9 }], 'a/stored.bin': [new Uint8Array([1, 2, 3]), { level: 0 }] });
    const entries = readZipEntries(archive, 'ctx');
    const deflated = entries.get('a/deflated.txt')!;
    expect(deflated.method).toBe(8);
    expect(deflated.compressedSize).toBeLessThan(text.length);
    expect(new TextDecoder().decode(deflated.read())).toBe(text);
    expect(Array.from(entries.get('a/stored.bin')!.read())).toEqual([1, 2, 3]);
  });

  test('fails with the context prefix instead of reading past the end', () => {
    expect(() => readZipEntries(torchFile.subarray(0, 100), 'ctx')).toThrow(/^ctx: not a zip archive or truncated/);
    // keep the end-of-central-directory record but cut the file body out from under it
    const eocd = torchFile.subarray(torchFile.length - 22 - 20 - 56);
    expect(() => readZipEntries(eocd, 'ctx')).toThrow(/^ctx: truncated or corrupt zip: /);
    // torch writes zip64 records: its central directory offset is read from the zip64 record
    const corrupt = torchFile.slice();
    corrupt[corrupt.length - 22 - 20 - 56 + 48] ^= 0x01; // central directory offset now one byte off
    expect(() => readZipEntries(corrupt, 'ctx')).toThrow(/^ctx: (corrupt central directory|truncated or corrupt zip)/);
  });

  test('crc32 matches zlib.crc32 (Python) and catches corrupted entries', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode('weights are data'))).toBe(0x63452c34);
    const bytes = new Uint8Array(770);
    for (let i = 0; i < 768; i++) bytes[i] = i % 256;
    bytes.set([0x61, 0x62], 768);
    expect(crc32(bytes)).toBe(0xe784fbc0);
    expect(crc32(new Uint8Array(0))).toBe(0);

    for (const entry of readZipEntries(torchFile, 'ctx').values()) expect(() => entry.read({ verify: true })).not.toThrow();
    const corrupt = torchFile.slice();
    const data = readZipEntries(corrupt, 'ctx').get('module/data/0')!;
    const offset = data.read().byteOffset;
    corrupt[offset + 3] ^= 0x10;
    expect(() => readZipEntries(corrupt, 'ctx').get('module/data/0')!.read({ verify: true })).toThrow(
      /^ctx: entry 'module\/data\/0' is corrupt: CRC-32 [0-9a-f]{8} does not match the recorded [0-9a-f]{8}$/,
    );
  });
});
