import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { zipSync, type Zippable } from 'fflate';
import { readTorchCheckpoint, readTorchCheckpointObject } from './torch-checkpoint';
import { readZipEntries } from './zip-reader';
import type { TensorData } from './state-dict-types';

// Fixtures are written by PyTorch 1.13 through scripts/make-checkpoint-fixtures.py and committed,
// so these tests run where torch is absent.
const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'weights');
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
const expectedJson = (name: string) =>
  JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<
    string,
    { dtype: string; shape: number[]; float32Bits?: number[]; values?: (string | number)[] }
  >;

function expectMatchesTorch(actual: TensorData, expected: ReturnType<typeof expectedJson>[string], name: string) {
  expect({ name, dtype: actual.dtype, shape: actual.shape }).toEqual({ name, dtype: expected.dtype, shape: expected.shape });
  if (expected.float32Bits) {
    expect(actual.data).toBeInstanceOf(Float32Array);
    const bits = new Uint32Array(actual.data.buffer, actual.data.byteOffset, actual.data.length);
    expect({ name, bits: Array.from(bits) }).toEqual({ name, bits: expected.float32Bits });
  } else if (expected.dtype === 'int64') {
    expect(actual.data).toBeInstanceOf(BigInt64Array);
    expect({ name, values: Array.from(actual.data as BigInt64Array, String) }).toEqual({ name, values: expected.values });
  } else {
    expect({ name, values: Array.from(actual.data as Int32Array, (v) => (expected.dtype === 'bool' ? v : String(v))) }).toEqual({
      name,
      values: expected.values,
    });
  }
}

describe('readTorchCheckpoint', () => {
  test('decodes every dtype, strided views and shared storages bit-exactly as torch does', () => {
    const stateDict = readTorchCheckpoint(fixture('dtypes.pth'));
    const expected = expectedJson('dtypes.expected.json');
    expect(Object.keys(stateDict)).toEqual(Object.keys(expected));
    for (const [name, entry] of Object.entries(expected)) expectMatchesTorch(stateDict[name], entry, name);
  });

  test('reads a module state dict (OrderedDict with _metadata, int64 num_batches_tracked)', () => {
    const stateDict = readTorchCheckpoint(fixture('module.pth'));
    const expected = expectedJson('module.expected.json');
    expect(Object.keys(stateDict)).toEqual(Object.keys(expected));
    for (const [name, entry] of Object.entries(expected)) expectMatchesTorch(stateDict[name], entry, name);
    expect(stateDict['1.num_batches_tracked']).toEqual({ dtype: 'int64', shape: [], data: new BigInt64Array([1n]) });
  });

  test('returns the state dict nested under state_dict in a training checkpoint', () => {
    const stateDict = readTorchCheckpoint(fixture('nested.pth'));
    const expected = expectedJson('module.expected.json');
    expect(Object.keys(stateDict)).toEqual(Object.keys(expected));
    for (const [name, entry] of Object.entries(expected)) expectMatchesTorch(stateDict[name], entry, name);
  });

  test('readTorchCheckpointObject exposes the other values of a checkpoint as plain data', () => {
    const root = readTorchCheckpointObject(fixture('nested.pth'));
    expect(root).toBeInstanceOf(Map);
    const map = root as Map<unknown, unknown>;
    expect(map.get('epoch')).toBe(3);
    expect(map.get('best_acc')).toBe(0.875);
    expect(map.get('arch')).toBe('cnn');
    expect(map.get('history')).toEqual([1, 2.5, null, true]);
    expect(map.get('pair')).toEqual([false, 'x']);
    expect(map.get('big')).toBe(2n ** 70n);
    // nn.Parameter values (torch._utils._rebuild_parameter) come back as tensors
    const params = map.get('params') as Map<string, TensorData>;
    const expected = expectedJson('module.expected.json');
    expectMatchesTorch(params.get('0.weight')!, expected['0.weight'], 'params.0.weight');
  });

  test('refuses a pickle that would run os.system, naming the global', () => {
    expect(() => readTorchCheckpoint(fixture('malicious.pth'))).toThrow(
      /^readTorchCheckpoint: .*refusing to load global 'posix\.system': only tensors, ordered dicts and primitive values are allowed$/,
    );
  });

  test('refuses to blow a zero-stride view of one element up into 2^25 elements', () => {
    expect(() => readTorchCheckpoint(fixture('expanded-huge.pth'))).toThrow(
      /^readTorchCheckpoint: tensor of 33554432 elements is an expanded view of the 1-element storage '0'; refusing to materialise/,
    );
  });

  test('refuses builtins.eval reached through STACK_GLOBAL (protocol 4) as well', () => {
    // pickle.dumps({'w': E()}, protocol=4) where E.__reduce__ returns (eval, ('1+1',))
    const pickle = Uint8Array.from(
      '80049526000000000000007d948c0177948c086275696c74696e73948c046576616c9493948c03312b319485945294732e'.match(/../g)!,
      (byte) => parseInt(byte, 16),
    );
    const archive = zipSync({ 'x/data.pkl': [pickle, { level: 0 }], 'x/version': [new TextEncoder().encode('3\n'), { level: 0 }] });
    expect(() => readTorchCheckpoint(archive)).toThrow("readTorchCheckpoint: x/data.pkl: refusing to load global 'builtins.eval'");
  });

  test('reads the legacy (torch < 1.6) non-zip format', () => {
    const stateDict = readTorchCheckpoint(fixture('legacy.pth'));
    expect(stateDict).toEqual({ w: { dtype: 'float32', shape: [2], data: new Float32Array([1, 1]) } });
  });

  test('reads every dtype, strided views and shared storages from the legacy format bit-exactly', () => {
    const stateDict = readTorchCheckpoint(fixture('legacy-dtypes.pth'));
    const expected = expectedJson('dtypes.expected.json');
    expect(Object.keys(stateDict)).toEqual(Object.keys(expected));
    for (const [name, entry] of Object.entries(expected)) expectMatchesTorch(stateDict[name], entry, name);
  });

  test('reads a big-endian archive (byteorder = big) by swapping storage bytes', () => {
    const values = new Float32Array([1.5, -2.0, 3e-5, 1e30]);
    const little = readTorchCheckpoint(fixture('single.pth'));
    expect(little).toEqual({ w: { dtype: 'float32', shape: [4], data: values } });
    // rebuild the archive as a big-endian machine would have written it
    const files: Zippable = {};
    for (const [name, entry] of readZipEntries(fixture('single.pth'), 'test')) {
      const data = new Uint8Array(entry.read());
      if (name === 'single/data/0') for (let i = 0; i < data.length; i += 4) data.subarray(i, i + 4).reverse();
      files[name] = [data, { level: 0 }];
    }
    files['single/byteorder'] = [new TextEncoder().encode('big'), { level: 0 }];
    expect(readTorchCheckpoint(zipSync(files))).toEqual({ w: { dtype: 'float32', shape: [4], data: values } });
  });

  test('detects a corrupted storage through the zip CRC-32 (unless told not to check)', () => {
    const corrupt = fixture('single.pth');
    const storage = readZipEntries(corrupt, 'test').get('single/data/0')!.read();
    corrupt[storage.byteOffset + 1] ^= 0x01;
    expect(() => readTorchCheckpoint(corrupt)).toThrow(/^readTorchCheckpoint: entry 'single\/data\/0' is corrupt: CRC-32/);
    const unchecked = readTorchCheckpoint(corrupt, { verifyChecksums: false });
    expect(unchecked.w.data[0]).not.toBe(1.5);
  });

  test('fails clearly on truncated or foreign input', () => {
    const full = fixture('module.pth');
    expect(() => readTorchCheckpoint(full.subarray(0, full.length - 40))).toThrow(/^readTorchCheckpoint: /);
    expect(() => readTorchCheckpoint(full.subarray(0, 1000))).toThrow(/^readTorchCheckpoint: .*(truncated|not a zip)/);
    const legacy = fixture('legacy.pth');
    expect(() => readTorchCheckpoint(legacy.subarray(0, legacy.length - 3))).toThrow(/^readTorchCheckpoint: truncated file: storage/);
    expect(() => readTorchCheckpoint(new TextEncoder().encode('hello world'))).toThrow(/^readTorchCheckpoint: not a PyTorch checkpoint/);
    expect(() => readTorchCheckpoint('x' as unknown as Uint8Array)).toThrow(/^readTorchCheckpoint: expected a Uint8Array/);
  });

  test('reading creates no tfjs tensors', () => {
    const before = tf.memory().numTensors;
    readTorchCheckpoint(fixture('dtypes.pth'));
    expect(tf.memory().numTensors).toBe(before);
  });
});
