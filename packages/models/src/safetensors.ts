import { decodeTensorBytes, DTYPE_BYTE_SIZE, encodeTensorBytes } from './state-dict-dtypes';
import type { SafetensorsDType, SafetensorsHeader, SafetensorsTensorInfo, WriteSafetensorsOptions } from './safetensors-types';
import type { StateDict, TensorDType } from './state-dict-types';

const FROM_CODE: Readonly<Record<SafetensorsDType, TensorDType>> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

const TO_CODE = Object.fromEntries(Object.entries(FROM_CODE).map(([code, dtype]) => [dtype, code])) as Record<
  TensorDType,
  SafetensorsDType
>;

// Same cap as the reference Rust implementation: a larger header is a corrupt or hostile file.
const MAX_HEADER_BYTES = 100_000_000;

function fail(message: string): never {
  throw new Error(`readSafetensors: ${message}`);
}

/** Adds an own property even for names like `__proto__`, which plain assignment would turn into a prototype swap. */
function defineEntry<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function toBytes(bytes: Uint8Array | ArrayBuffer, fn: string): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new Error(`${fn}: expected a Uint8Array or ArrayBuffer, got ${bytes === null ? 'null' : typeof bytes}`);
}

/**
 * Parses and validates the header of a safetensors file without decoding any tensor:
 * header length within the file, JSON object, known dtypes, byte ranges that match
 * dtype × shape and tile the data buffer exactly (no gaps, no overlaps, nothing past the end).
 */
export function readSafetensorsHeader(bytes: Uint8Array | ArrayBuffer): SafetensorsHeader {
  const file = toBytes(bytes, 'readSafetensors');
  if (file.length < 8) fail(`truncated file: ${file.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const headerLength64 = view.getBigUint64(0, true);
  if (headerLength64 > BigInt(file.length - 8)) {
    fail(`truncated file: header says ${headerLength64} bytes but only ${file.length - 8} follow`);
  }
  const headerLength = Number(headerLength64);
  if (headerLength > MAX_HEADER_BYTES) fail(`header of ${headerLength} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (headerLength < 2 || file[8] !== 0x7b /* '{' */) fail('header is not a JSON object (must start with "{")');

  let parsed: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(file.subarray(8, 8 + headerLength));
    parsed = JSON.parse(text);
  } catch (error) {
    fail(`header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(parsed)) fail('header is not a JSON object');

  const dataStart = 8 + headerLength;
  const bufferLength = file.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: Record<string, SafetensorsTensorInfo> = {};

  for (const [name, entry] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (!isPlainObject(entry)) fail('__metadata__ must be an object of strings');
      for (const [key, value] of Object.entries(entry)) {
        if (typeof value !== 'string') fail(`__metadata__.${key} must be a string, got ${typeof value}`);
        defineEntry(metadata, key, value);
      }
      continue;
    }
    if (!isPlainObject(entry)) fail(`tensor '${name}': entry is not an object`);
    const { dtype: code, shape, data_offsets: offsets } = entry;
    if (typeof code !== 'string' || !Object.hasOwn(FROM_CODE, code)) {
      fail(`tensor '${name}': unsupported dtype ${JSON.stringify(code)} (supported: ${Object.keys(FROM_CODE).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      fail(`tensor '${name}': shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
      fail(`tensor '${name}': data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`);
    }
    const dtype = FROM_CODE[code as SafetensorsDType];
    const elementCount = (shape as number[]).reduce((a, b) => a * b, 1);
    const expectedBytes = elementCount * DTYPE_BYTE_SIZE[dtype];
    const [begin, end] = offsets as number[];
    if (end - begin !== expectedBytes) {
      fail(
        `tensor '${name}': data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${code} × [${(shape as number[]).join(', ')}] needs ${expectedBytes}`,
      );
    }
    if (end > bufferLength) {
      fail(`truncated file: tensor '${name}' ends at data byte ${end} but only ${bufferLength} bytes follow the header`);
    }
    defineEntry(tensors, name, { dtype, shape: [...(shape as number[])], dataOffsets: [begin, end] });
  }

  // The spec asks writers to tile the buffer exactly; checking it catches corrupt or spliced files.
  const ranges = Object.entries(tensors).sort(([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let cursor = 0;
  let previous = '';
  for (const [name, info] of ranges) {
    const [begin, end] = info.dataOffsets;
    if (begin < cursor) fail(`tensor '${name}' overlaps tensor '${previous}' (starts at ${begin}, before ${cursor})`);
    if (begin > cursor) fail(`gap in the data buffer: bytes ${cursor}..${begin} belong to no tensor (before '${name}')`);
    cursor = end;
    previous = name;
  }
  if (cursor !== bufferLength) {
    fail(`data buffer has ${bufferLength - cursor} trailing bytes after the last tensor (buffer is ${bufferLength} bytes, tensors end at ${cursor})`);
  }
  return { tensors, metadata, dataStart };
}

/**
 * Reads a safetensors file into a {@link StateDict}. Float tensors (F64/F32/F16/BF16) come
 * back as `Float32Array` with the file's dtype recorded (F16 and BF16 exactly; F64 rounded);
 * I64 as `BigInt64Array`. Throws `readSafetensors: ...` on anything malformed or truncated.
 */
export function readSafetensors(bytes: Uint8Array | ArrayBuffer): StateDict {
  const file = toBytes(bytes, 'readSafetensors');
  const header = readSafetensorsHeader(file);
  const stateDict: StateDict = {};
  for (const [name, info] of Object.entries(header.tensors)) {
    const count = info.shape.reduce((a, b) => a * b, 1);
    defineEntry(stateDict, name, {
      dtype: info.dtype,
      shape: info.shape,
      data: decodeTensorBytes(file, header.dataStart + info.dataOffsets[0], info.dtype, count),
    });
  }
  return stateDict;
}

/**
 * Serialises a {@link StateDict} as safetensors. Each tensor is stored in its `dtype`
 * (float values rounded to nearest even for F16/BF16), largest element size first so every
 * tensor stays aligned, and the header is padded with spaces to a multiple of 8 bytes.
 */
export function writeSafetensors(stateDict: StateDict, options: WriteSafetensorsOptions = {}): Uint8Array {
  if (!isPlainObject(stateDict)) throw new Error('writeSafetensors: expected a state dict object');
  const header: Record<string, unknown> = {};
  if (options.metadata) {
    for (const [key, value] of Object.entries(options.metadata)) {
      if (typeof value !== 'string') throw new Error(`writeSafetensors: metadata '${key}' must be a string`);
    }
    header.__metadata__ = options.metadata;
  }
  const names = Object.keys(stateDict).sort(
    (a, b) => DTYPE_BYTE_SIZE[stateDict[b].dtype] - DTYPE_BYTE_SIZE[stateDict[a].dtype] || (a < b ? -1 : a > b ? 1 : 0),
  );
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new Error("writeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    const { dtype, shape, data } = stateDict[name];
    if (!Object.hasOwn(TO_CODE, dtype)) throw new Error(`writeSafetensors: tensor '${name}': unsupported dtype '${dtype}'`);
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw new Error(`writeSafetensors: tensor '${name}': shape must be non-negative integers, got ${JSON.stringify(shape)}`);
    }
    const count = shape.reduce((a, b) => a * b, 1);
    if (data.length !== count) {
      throw new Error(`writeSafetensors: tensor '${name}': shape [${shape.join(', ')}] needs ${count} values, got ${data.length}`);
    }
    const encoded = encodeTensorBytes(data, dtype, `writeSafetensors: tensor '${name}'`);
    header[name] = { dtype: TO_CODE[dtype], shape, data_offsets: [offset, offset + encoded.length] };
    chunks.push(encoded);
    offset += encoded.length;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  if (padded !== headerBytes.length) {
    const withPadding = new Uint8Array(padded).fill(0x20);
    withPadding.set(headerBytes);
    headerBytes = withPadding;
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const chunk of chunks) {
    out.set(chunk, position);
    position += chunk.length;
  }
  return out;
}
