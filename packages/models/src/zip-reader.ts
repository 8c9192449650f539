import { inflateSync } from 'fflate';

/** One file of a zip archive; `read()` returns its bytes (a view for stored entries, no copy). */
export interface ZipEntry {
  name: string;
  compressedSize: number;
  size: number;
  method: number;
  /** CRC-32 recorded in the central directory. */
  crc32: number;
  /** The entry's bytes; with `verify`, throws when they do not match the recorded CRC-32. */
  read(options?: { verify?: boolean }): Uint8Array;
}

let crcTable: Int32Array | undefined;

/** CRC-32 (IEEE 802.3, as zip uses), slicing-by-4 for speed on weight-sized entries. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Int32Array(256 * 4);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
    for (let n = 0; n < 256; n++) {
      for (let t = 1; t < 4; t++) crcTable[t * 256 + n] = crcTable[(crcTable[(t - 1) * 256 + n] & 0xff)] ^ (crcTable[(t - 1) * 256 + n] >>> 8);
    }
  }
  const table = crcTable;
  let crc = -1;
  let i = 0;
  const end4 = bytes.length - (bytes.length % 4);
  for (; i < end4; i += 4) {
    crc ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    crc = table[768 + (crc & 0xff)] ^ table[512 + ((crc >>> 8) & 0xff)] ^ table[256 + ((crc >>> 16) & 0xff)] ^ table[crc >>> 24];
  }
  for (; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const U32_MAX = 0xffffffff;

/**
 * Lists the entries of a zip archive (PyTorch checkpoints are zips of stored entries).
 * Every offset and size is checked against the buffer, so a truncated or corrupt archive
 * raises an error prefixed with `context` instead of reading past the end.
 * Supports stored and deflated entries and zip64; not encryption or multi-disk archives.
 */
export function readZipEntries(bytes: Uint8Array, context: string): Map<string, ZipEntry> {
  const fail = (message: string): never => {
    throw new Error(`${context}: ${message}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => {
    const value = view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail('zip64 field too large');
    return Number(value);
  };
  const need = (at: number, length: number, what: string) => {
    if (at < 0 || at + length > bytes.length) {
      fail(`truncated or corrupt zip: ${what} at byte ${at} (+${length}) lies past the end of the ${bytes.length}-byte file`);
    }
  };

  // The end-of-central-directory record sits in the last 22 + 65535 (max comment) bytes.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 0xffff; at--) {
    if (u32(at) === EOCD_SIGNATURE) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) fail('not a zip archive or truncated (no end-of-central-directory record)');
  let entryCount = u16(eocd + 10);
  let directorySize = u32(eocd + 12);
  let directoryOffset = u32(eocd + 16);
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0) fail('multi-disk zip archives are not supported');

  if (eocd >= 20 && u32(eocd - 20) === ZIP64_LOCATOR_SIGNATURE) {
    const zip64Eocd = u64(eocd - 12);
    need(zip64Eocd, 56, 'zip64 end-of-central-directory record');
    if (u32(zip64Eocd) !== ZIP64_EOCD_SIGNATURE) fail('corrupt zip64 end-of-central-directory record');
    entryCount = u64(zip64Eocd + 32);
    directorySize = u64(zip64Eocd + 40);
    directoryOffset = u64(zip64Eocd + 48);
  }
  need(directoryOffset, directorySize, 'central directory');

  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder();
  let at = directoryOffset;
  for (let index = 0; index < entryCount; index++) {
    need(at, 46, 'central directory entry');
    if (u32(at) !== CENTRAL_SIGNATURE) fail(`corrupt central directory entry ${index}`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const checksum = u32(at + 16);
    let compressedSize = u32(at + 20);
    let size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let localOffset = u32(at + 42);
    need(at + 46, nameLength + extraLength + commentLength, 'central directory entry name');
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (flags & 1) fail(`entry '${name}' is encrypted`);

    // zip64 extra field: the 64-bit values appear only for fields saturated at 0xffffffff, in this order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = u16(extra);
      const length = u16(extra + 2);
      if (id === 0x0001) {
        let field = extra + 4;
        if (size === U32_MAX) (size = u64(field)), (field += 8);
        if (compressedSize === U32_MAX) (compressedSize = u64(field)), (field += 8);
        if (localOffset === U32_MAX) localOffset = u64(field);
      }
      extra += 4 + length;
    }
    at = extraEnd + commentLength;

    need(localOffset, 30, `local header of '${name}'`);
    if (u32(localOffset) !== LOCAL_SIGNATURE) fail(`corrupt local header of '${name}'`);
    const dataStart = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    need(dataStart, compressedSize, `data of '${name}'`);
    if (method !== 0 && method !== 8) fail(`entry '${name}' uses unsupported compression method ${method}`);
    const finalSize = size;
    entries.set(name, {
      name,
      compressedSize,
      size,
      method,
      crc32: checksum,
      read(options = {}) {
        const raw = bytes.subarray(dataStart, dataStart + compressedSize);
        let out: Uint8Array;
        if (method === 0) {
          if (compressedSize !== finalSize) fail(`entry '${name}' is stored but its sizes differ`);
          out = raw;
        } else {
          try {
            out = inflateSync(raw, { out: new Uint8Array(finalSize) });
          } catch (error) {
            return fail(`entry '${name}' does not inflate (${(error as Error).message})`);
          }
          if (out.length !== finalSize) fail(`entry '${name}' inflates to ${out.length} bytes, expected ${finalSize}`);
        }
        if (options.verify && crc32(out) !== checksum) {
          fail(`entry '${name}' is corrupt: CRC-32 ${crc32(out).toString(16).padStart(8, '0')} does not match the recorded ${checksum.toString(16).padStart(8, '0')}`);
        }
        return out;
      },
    });
  }
  return entries;
}
