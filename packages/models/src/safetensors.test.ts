import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readSafetensors, readSafetensorsHeader, writeSafetensors } from './safetensors';
import type { StateDict } from './state-dict-types';

// mixed.safetensors was written by hand from torch tensors in scripts/make-checkpoint-fixtures.py
// (F32, F16, BF16, F64, I64 plus __metadata__); mixed.expected.json holds torch's float32 bits.
const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'weights');
const pythonFile = readFileSync(join(FIXTURES, 'mixed.safetensors')); // a Node Buffer on purpose
const expected = JSON.parse(readFileSync(join(FIXTURES, 'mixed.expected.json'), 'utf8')) as Record<
  string,
  { dtype: string; shape: number[]; float32Bits?: number[]; values?: string[] }
>;

/** Builds a file from a header object and a data buffer, as a third-party writer would. */
function craft(header: unknown, data: Uint8Array | number = 0, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const buffer = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

const floatBits = (data: StateDict[string]['data']) => Array.from(new Uint32Array(data.buffer, data.byteOffset, data.length));

describe('readSafetensors', () => {
  test('reads a Python-written file bit-exactly (F32, F16 incl. subnormals/inf/nan, BF16, F64, I64)', () => {
    const stateDict = readSafetensors(pythonFile);
    expect(Object.keys(stateDict).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, entry] of Object.entries(expected)) {
      const tensor = stateDict[name];
      expect({ name, dtype: tensor.dtype, shape: tensor.shape }).toEqual({ name, dtype: entry.dtype, shape: entry.shape });
      if (entry.float32Bits) expect({ name, bits: floatBits(tensor.data) }).toEqual({ name, bits: entry.float32Bits });
      else expect({ name, values: Array.from(tensor.data as BigInt64Array, String) }).toEqual({ name, values: entry.values });
    }
  });

  test('exposes the header and __metadata__ without decoding', () => {
    const header = readSafetensorsHeader(pythonFile);
    expect(header.metadata).toEqual({ format: 'pt', source: 'make-checkpoint-fixtures.py' });
    expect(header.tensors['conv.weight']).toEqual({ dtype: 'float32', shape: [2, 1, 2, 2], dataOffsets: [0, 32] });
    expect(header.dataStart % 8).toBe(0);
  });

  test('accepts an ArrayBuffer and zero-size tensors', () => {
    const file = craft({ empty: { dtype: 'F32', shape: [0, 3], data_offsets: [0, 0] }, one: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array([5]));
    const stateDict = readSafetensors(file.slice().buffer);
    expect(stateDict.empty).toEqual({ dtype: 'float32', shape: [0, 3], data: new Float32Array(0) });
    expect(stateDict.one).toEqual({ dtype: 'uint8', shape: [1], data: new Uint8Array([5]) });
  });

  test('keeps a tensor named __proto__ as an ordinary key', () => {
    const file = craft(null, new Uint8Array([0, 0, 0x80, 0x3f]), '{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}');
    const stateDict = readSafetensors(file);
    expect(Object.getPrototypeOf(stateDict)).toBe(Object.prototype);
    expect(Object.keys(stateDict)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(stateDict, '__proto__')?.value).toEqual({ dtype: 'float32', shape: [1], data: new Float32Array([1]) });
  });

  test.each([
    ['a file shorter than 8 bytes', new Uint8Array(5), /^readSafetensors: truncated file: 5 bytes, too short/],
    ['a header longer than the file', craft({}).subarray(0, 9), /^readSafetensors: truncated file: header says 2 bytes but only 1 follow$/],
    ['a header that is not JSON', craft(null, 0, '{"a": '), /^readSafetensors: header is not valid UTF-8 JSON/],
    ['a header that is not an object', craft(null, 0, '[1, 2]'), /^readSafetensors: header is not a JSON object/],
    ['an unknown dtype', craft({ x: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, 1), /^readSafetensors: tensor 'x': unsupported dtype "F8_E4M3"/],
    ['a dtype named like an Object.prototype member', craft({ x: { dtype: 'toString', shape: [1], data_offsets: [0, 1] } }, 1), /^readSafetensors: tensor 'x': unsupported dtype "toString"/],
    ['a negative dimension', craft({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /^readSafetensors: tensor 'x': shape must be/],
    ['offsets that disagree with dtype × shape', craft({ x: { dtype: 'F16', shape: [3], data_offsets: [0, 4] } }, 4), /^readSafetensors: tensor 'x': data_offsets \[0, 4\] span 4 bytes but F16 × \[3\] needs 6$/],
    ['reversed offsets', craft({ x: { dtype: 'U8', shape: [0], data_offsets: [2, 1] } }, 2), /^readSafetensors: tensor 'x': data_offsets must be/],
    ['a tensor past the end of the file', craft({ x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8), /^readSafetensors: truncated file: tensor 'x' ends at data byte 16 but only 8 bytes follow the header$/],
    ['overlapping tensors', craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), /^readSafetensors: tensor 'b' overlaps tensor 'a'/],
    ['a gap between tensors', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, 12), /^readSafetensors: gap in the data buffer: bytes 4\.\.8/],
    ['trailing bytes', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 6), /^readSafetensors: data buffer has 2 trailing bytes/],
    ['non-string metadata', craft({ __metadata__: { epoch: 3 } }), /^readSafetensors: __metadata__\.epoch must be a string/],
  ])('rejects %s', (_, file, message) => {
    expect(() => readSafetensors(file)).toThrow(message);
  });

  test('rejects every truncation of a real file', () => {
    for (const cut of [0, 7, 8, 20, 100, pythonFile.length - 1]) {
      expect(() => readSafetensors(pythonFile.subarray(0, cut))).toThrow(/^readSafetensors: truncated file/);
    }
  });

  test('creates no tfjs tensors', () => {
    const before = tf.memory().numTensors;
    readSafetensors(pythonFile);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('writeSafetensors', () => {
  test('round-trips every dtype and metadata through readSafetensors', () => {
    const stateDict: StateDict = {
      'a.weight': { dtype: 'float32', shape: [2, 2], data: new Float32Array([1, -2, 3.5, 1e-40]) },
      half: { dtype: 'float16', shape: [3], data: new Float32Array([0.5, -65504, 2 ** -24]) },
      brain: { dtype: 'bfloat16', shape: [2], data: new Float32Array([1.5, -3]) },
      double: { dtype: 'float64', shape: [1], data: new Float32Array([0.25]) },
      count: { dtype: 'int64', shape: [], data: new BigInt64Array([-(2n ** 60n)]) },
      i32: { dtype: 'int32', shape: [1], data: new Int32Array([-7]) },
      i16: { dtype: 'int16', shape: [1], data: new Int16Array([-300]) },
      i8: { dtype: 'int8', shape: [1], data: new Int8Array([-3]) },
      mask: { dtype: 'bool', shape: [2], data: new Uint8Array([1, 0]) },
    };
    const file = writeSafetensors(stateDict, { metadata: { format: 'pt' } });
    expect(readSafetensors(file)).toEqual(stateDict);
    const header = readSafetensorsHeader(file);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.dataStart % 8).toBe(0); // header padded so 8-byte tensors stay aligned
    expect(header.tensors.count.dataOffsets[0] % 8).toBe(0);
  });

  test('re-encodes a Python-written file to the same values and the same bytes per tensor', () => {
    const original = readSafetensors(pythonFile);
    const rewritten = writeSafetensors(original);
    expect(readSafetensors(rewritten)).toEqual(original);
    // F16 / BF16 bytes are the ones torch wrote, so encode(decode(x)) is exact
    const before = readSafetensorsHeader(pythonFile);
    const after = readSafetensorsHeader(rewritten);
    for (const name of ['half', 'brain', 'conv.weight']) {
      const [b0, b1] = before.tensors[name].dataOffsets;
      const [a0, a1] = after.tensors[name].dataOffsets;
      expect(Buffer.from(rewritten.subarray(after.dataStart + a0, after.dataStart + a1))).toEqual(
        pythonFile.subarray(before.dataStart + b0, before.dataStart + b1),
      );
    }
  });

  test('validates its input', () => {
    expect(() => writeSafetensors({ x: { dtype: 'float32', shape: [3], data: new Float32Array(2) } })).toThrow(
      "writeSafetensors: tensor 'x': shape [3] needs 3 values, got 2",
    );
    expect(() => writeSafetensors({ x: { dtype: 'int8', shape: [1], data: new Int32Array(1) } })).toThrow(
      "writeSafetensors: tensor 'x': dtype 'int8' needs data of type Int8Array, got Int32Array",
    );
    expect(() => writeSafetensors({}, { metadata: { n: 1 as unknown as string } })).toThrow("writeSafetensors: metadata 'n' must be a string");
  });
});
