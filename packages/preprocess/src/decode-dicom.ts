import * as dicomParserModule from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import type { DecodedImage } from './image-types';

type DicomParser = typeof dicomParserModule;

// dicom-parser ships a UMD bundle: Node's ESM loader exposes it only as `default`, CommonJS as the namespace.
const dicomParser: DicomParser =
  typeof dicomParserModule.parseDicom === 'function'
    ? dicomParserModule
    : (dicomParserModule as unknown as { default: DicomParser }).default;

const UNCOMPRESSED_TRANSFER_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
};

const KNOWN_COMPRESSED_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

export function isDicom(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d
  );
}

function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  if (thrown && typeof thrown === 'object' && 'exception' in thrown) {
    return describeThrown((thrown as { exception: unknown }).exception);
  }
  return String(thrown);
}

function requireUint16(dataSet: DataSet, tag: string, name: string): number {
  const value = dataSet.uint16(tag);
  if (value === undefined) throw new Error(`invalid DICOM (missing ${name} ${tag})`);
  return value;
}

/** Stored pixel values of the first frame, masked to BitsStored and sign-extended when signed. */
function readStoredValues(dataSet: DataSet, count: number, littleEndian: boolean): Int32Array {
  const bitsAllocated = requireUint16(dataSet, 'x00280100', 'BitsAllocated');
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  const highBit = dataSet.uint16('x00280102') ?? bitsStored - 1;
  const signed = dataSet.uint16('x00280103') === 1;
  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    throw new Error(`unsupported DICOM BitsAllocated ${bitsAllocated} (8 and 16 are supported)`);
  }
  const element = dataSet.elements.x7fe00010;
  if (!element) throw new Error('invalid DICOM (no PixelData element 7FE0,0010)');
  const bytesPerSample = bitsAllocated / 8;
  const needed = count * bytesPerSample;
  const available = Math.min(element.length, dataSet.byteArray.length - element.dataOffset);
  if (available < needed) {
    throw new Error(`truncated DICOM (pixel data has ${Math.max(available, 0)} bytes, expected ${needed})`);
  }
  const bytes = dataSet.byteArray;
  const shift = highBit + 1 - bitsStored;
  const mask = bitsStored >= 32 ? 0xffffffff : (1 << bitsStored) - 1;
  const signBit = 1 << (bitsStored - 1);
  const values = new Int32Array(count);
  let offset = element.dataOffset;
  for (let i = 0; i < count; i++) {
    let raw: number;
    if (bytesPerSample === 1) raw = bytes[offset];
    else raw = littleEndian ? bytes[offset] | (bytes[offset + 1] << 8) : (bytes[offset] << 8) | bytes[offset + 1];
    offset += bytesPerSample;
    let v = (raw >> shift) & mask;
    if (signed && v & signBit) v -= 1 << bitsStored;
    values[i] = v;
  }
  return values;
}

type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

/** DICOM PS3.3 C.11.2.1.2 VOI LUT functions, returning a fraction of the output range in [0, 1]. */
function voiTransfer(fn: VoiFunction, center: number, width: number): (x: number) => number {
  if (fn === 'SIGMOID') return (x) => 1 / (1 + Math.exp((-4 * (x - center)) / width));
  if (fn === 'LINEAR_EXACT') {
    return (x) => Math.min(1, Math.max(0, (x - center) / width + 0.5));
  }
  const low = center - 0.5 - (width - 1) / 2;
  const high = center - 0.5 + (width - 1) / 2;
  return (x) => (x <= low ? 0 : x > high ? 1 : (x - (center - 0.5)) / (width - 1) + 0.5);
}

/**
 * Decodes the first frame of an uncompressed DICOM image: stored values → modality LUT (slope, intercept)
 * → VOI window when present (else the frame's min–max) → 8-bit (BitsStored ≤ 8) or 16-bit output, with
 * MONOCHROME1 inverted so that bone is bright in every output.
 */
export function decodeDicom(bytes: Uint8Array): DecodedImage {
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes);
  } catch (thrown) {
    const reason = describeThrown(thrown);
    if (/past end|overread|beyond|buffer/i.test(reason)) throw new Error(`truncated DICOM (${reason})`);
    throw new Error(`invalid DICOM (dicom-parser: ${reason})`);
  }
  const syntax = (dataSet.string('x00020010') ?? '1.2.840.10008.1.2.1').replace(/\0/g, '').trim();
  if (!(syntax in UNCOMPRESSED_TRANSFER_SYNTAXES)) {
    const name = KNOWN_COMPRESSED_SYNTAXES[syntax] ?? 'unknown transfer syntax';
    throw new Error(
      `unsupported DICOM transfer syntax ${syntax} (${name}); only uncompressed syntaxes are supported, ` +
        'convert with e.g. `gdcmconv --raw` or `dcmdjpeg`',
    );
  }
  const rows = requireUint16(dataSet, 'x00280010', 'Rows');
  const columns = requireUint16(dataSet, 'x00280011', 'Columns');
  const samplesPerPixel = dataSet.uint16('x00280002') ?? 1;
  const photometric = (dataSet.string('x00280004') ?? 'MONOCHROME2').trim().toUpperCase();
  const littleEndian = syntax !== '1.2.840.10008.1.2.2';
  if (samplesPerPixel === 3 && photometric === 'RGB') return decodeRgb(dataSet, rows, columns, littleEndian);
  if (samplesPerPixel !== 1 || (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2')) {
    throw new Error(
      `unsupported DICOM photometric interpretation ${photometric} with ${samplesPerPixel} samples per pixel`,
    );
  }
  const count = rows * columns;
  const stored = readStoredValues(dataSet, count, littleEndian);
  const slope = dataSet.floatString('x00281053') ?? 1;
  const intercept = dataSet.floatString('x00281052') ?? 0;
  const modality = new Float64Array(count);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    const v = stored[i] * slope + intercept;
    modality[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const center = dataSet.floatString('x00281050', 0);
  const width = dataSet.floatString('x00281051', 0);
  const fnName = (dataSet.string('x00281056') ?? 'LINEAR').trim().toUpperCase();
  const fn: VoiFunction = fnName === 'SIGMOID' || fnName === 'LINEAR_EXACT' ? fnName : 'LINEAR';
  const hasWindow =
    center !== undefined && width !== undefined && Number.isFinite(center) && (fn === 'LINEAR' ? width >= 1 : width > 0);
  const transfer = hasWindow
    ? voiTransfer(fn, center, width)
    : (x: number) => (max > min ? (x - min) / (max - min) : 0);
  const bitsStored = dataSet.uint16('x00280101') ?? dataSet.uint16('x00280100') ?? 16;
  const bitDepth = bitsStored > 8 ? 16 : 8;
  const top = bitDepth === 16 ? 65535 : 255;
  const data = bitDepth === 16 ? new Uint16Array(count) : new Uint8Array(count);
  const invert = photometric === 'MONOCHROME1';
  for (let i = 0; i < count; i++) {
    const y = Math.round(transfer(modality[i]) * top);
    data[i] = invert ? top - y : y;
  }
  return { data, width: columns, height: rows, channels: 1, bitDepth };
}

function decodeRgb(dataSet: DataSet, rows: number, columns: number, littleEndian: boolean): DecodedImage {
  if (dataSet.uint16('x00280100') !== 8) throw new Error('unsupported DICOM RGB image with BitsAllocated other than 8');
  const count = rows * columns;
  const samples = readStoredValues(dataSet, count * 3, littleEndian);
  const planar = dataSet.uint16('x00280006') === 1;
  const data = new Uint8Array(count * 3);
  for (let p = 0; p < count; p++) {
    for (let c = 0; c < 3; c++) data[p * 3 + c] = planar ? samples[c * count + p] : samples[p * 3 + c];
  }
  return { data, width: columns, height: rows, channels: 3, bitDepth: 8 };
}
