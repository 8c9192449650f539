import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bfloat16BitsToFloat32,
  decodeTensorBytes,
  encodeTensorBytes,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from './state-dict-dtypes';

// rounding.expected.json holds float32 samples and torch 1.13's .half() / .bfloat16() of them
// (scripts/make-checkpoint-fixtures.py): ties, subnormals, overflow, inf and NaN included.
const rounding = JSON.parse(readFileSync(join(__dirname, '..', 'test', 'fixtures', 'weights', 'rounding.expected.json'), 'utf8')) as {
  float32Bits: number[];
  float16Bits: number[];
  bfloat16Bits: number[];
};
const samples = new Float32Array(Uint32Array.from(rounding.float32Bits).buffer);

describe('float16 / bfloat16 conversion', () => {
  test('decodes hand-checked float16 bit patterns', () => {
    const decoded = float16BitsToFloat32(Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0400, 0x0001, 0x03ff, 0x8000, 0x7c00, 0xfc00, 0x3555]));
    expect(Array.from(decoded)).toEqual([1, -2, 65504, 2 ** -14, 2 ** -24, 1023 * 2 ** -24, -0, Infinity, -Infinity, 0.333251953125]);
    expect(Object.is(decoded[6], -0)).toBe(true);
    expect(Number.isNaN(float16BitsToFloat32(Uint16Array.from([0x7e00]))[0])).toBe(true);
  });

  test('decodes bfloat16 as the upper half of a float32', () => {
    expect(Array.from(bfloat16BitsToFloat32(Uint16Array.from([0x3f80, 0xc040, 0x0001, 0x7f80])))).toEqual([1, -3, 2 ** -133, Infinity]);
  });

  test('float16 → float32 → float16 is the identity on all 65536 patterns except NaN payloads', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = float32ToFloat16Bits(float16BitsToFloat32(all));
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNaN) expect((back[h] & 0x7c00) === 0x7c00 && (back[h] & 0x3ff) !== 0).toBe(true);
      else if (back[h] !== h) throw new Error(`float16 0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
    }
  });

  test('float32 → float16 rounds exactly like torch .half()', () => {
    const ours = Array.from(float32ToFloat16Bits(samples));
    const isNaN = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
    expect(ours.map((h, i) => (isNaN(h) && isNaN(rounding.float16Bits[i]) ? 'nan' : h))).toEqual(
      rounding.float16Bits.map((h) => (isNaN(h) ? 'nan' : h)),
    );
  });

  test('float32 → bfloat16 rounds exactly like torch .bfloat16()', () => {
    const ours = Array.from(float32ToBfloat16Bits(samples));
    const isNaN = (h: number) => (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;
    expect(ours.map((h, i) => (isNaN(h) && isNaN(rounding.bfloat16Bits[i]) ? 'nan' : h))).toEqual(
      rounding.bfloat16Bits.map((h) => (isNaN(h) ? 'nan' : h)),
    );
  });
});

describe('decodeTensorBytes / encodeTensorBytes', () => {
  test('decodes little-endian bytes at an unaligned offset, copying them', () => {
    const bytes = new Uint8Array([9, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    const values = decodeTensorBytes(bytes, 1, 'float32', 2);
    expect(values).toEqual(new Float32Array([1, -2]));
    bytes[4] = 0;
    expect(values[0]).toBe(1);
    expect(decodeTensorBytes(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0, 'int64', 1)).toEqual(new BigInt64Array([-1n]));
  });

  test('decodes from a Node Buffer view without reading the rest of its pool', () => {
    const pooled = Buffer.from([7, 7, 7, 0x00, 0x00, 0x80, 0x3f]); // small Buffers share one pool
    expect(decodeTensorBytes(pooled, 3, 'float32', 1)).toEqual(new Float32Array([1]));
  });

  test('encodes floats per dtype and refuses integer arrays that would wrap', () => {
    expect(Array.from(encodeTensorBytes(new Float32Array([1]), 'float16', 'ctx'))).toEqual([0x00, 0x3c]);
    expect(Array.from(encodeTensorBytes(new Float32Array([1]), 'bfloat16', 'ctx'))).toEqual([0x80, 0x3f]);
    expect(Array.from(encodeTensorBytes(new Int32Array([-2]), 'int64', 'ctx'))).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(() => encodeTensorBytes(new Int32Array([300]), 'uint8', 'ctx')).toThrow("ctx: dtype 'uint8' needs data of type Uint8Array, got Int32Array");
    expect(() => encodeTensorBytes(new Int32Array([1]), 'float32', 'ctx')).toThrow("ctx: dtype 'float32' needs data of type Float32Array");
  });
});
