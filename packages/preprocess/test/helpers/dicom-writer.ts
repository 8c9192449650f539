/**
 * A minimal DICOM Part-10 writer for decoder fixtures: 128-byte preamble, "DICM", the file meta
 * group (always explicit VR little endian), then the data set in explicit or implicit VR little
 * endian. Compressed syntaxes get an encapsulated pixel data element with one fragment.
 */
export interface DicomFixture {
  rows: number;
  columns: number;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  /** Stored values (before any rescale); written masked to bitsStored. */
  pixels: ArrayLike<number>;
  photometric?: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  samplesPerPixel?: 1 | 3;
  pixelRepresentation?: 0 | 1;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  windowCenter?: number | number[];
  windowWidth?: number | number[];
  voiLutFunction?: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
  transferSyntax?: string;
}

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const LONG_LENGTH_VRS = new Set(['OB', 'OW', 'SQ', 'UN', 'UT']);

interface Element {
  group: number;
  element: number;
  vr: string;
  value: Uint8Array;
  undefinedLength?: boolean;
}

function text(value: string, vr: string): Uint8Array {
  const bytes = Buffer.from(value, 'latin1');
  if (bytes.length % 2 === 0) return bytes;
  return Buffer.concat([bytes, Buffer.from(vr === 'UI' ? [0] : [0x20])]);
}

function us(value: number, bigEndian = false): Uint8Array {
  const b = Buffer.alloc(2);
  if (bigEndian) b.writeUInt16BE(value, 0);
  else b.writeUInt16LE(value, 0);
  return b;
}

function ul(value: number, bigEndian = false): Uint8Array {
  const b = Buffer.alloc(4);
  if (bigEndian) b.writeUInt32BE(value, 0);
  else b.writeUInt32LE(value, 0);
  return b;
}

/** Big-endian files keep the structure but swap tags, lengths and binary values; `value` is already in order. */
function encode(el: Element, explicit: boolean, bigEndian = false): Buffer {
  const head: number[] = [];
  const tag = Buffer.concat([us(el.group, bigEndian), us(el.element, bigEndian)]);
  const length = el.undefinedLength ? 0xffffffff : el.value.length;
  if (!explicit) return Buffer.concat([tag, ul(length), el.value]);
  head.push(el.vr.charCodeAt(0), el.vr.charCodeAt(1));
  if (LONG_LENGTH_VRS.has(el.vr)) {
    return Buffer.concat([tag, Buffer.from(head), Buffer.from([0, 0]), ul(length, bigEndian), el.value]);
  }
  return Buffer.concat([tag, Buffer.from(head), us(length, bigEndian), el.value]);
}

function ds(value: number | number[]): string {
  return (Array.isArray(value) ? value : [value]).map((v) => String(v)).join('\\');
}

export function writeDicom(fixture: DicomFixture): Uint8Array {
  const syntax = fixture.transferSyntax ?? EXPLICIT_LE;
  const explicit = syntax !== IMPLICIT_LE;
  const bigEndian = syntax === EXPLICIT_BE;
  const u16 = (v: number) => us(v, bigEndian);
  const samplesPerPixel = fixture.samplesPerPixel ?? 1;
  const photometric = fixture.photometric ?? 'MONOCHROME2';
  const mask = 2 ** fixture.bitsStored - 1;
  const count = fixture.rows * fixture.columns * samplesPerPixel;
  const bytesPerSample = fixture.bitsAllocated / 8;
  let pixelBytes = Buffer.alloc(count * bytesPerSample + ((count * bytesPerSample) % 2));
  for (let i = 0; i < count; i++) {
    const v = fixture.pixels[i] & mask;
    if (bytesPerSample === 1) pixelBytes[i] = v;
    else if (bigEndian) pixelBytes.writeUInt16BE(v, i * 2);
    else pixelBytes.writeUInt16LE(v, i * 2);
  }
  const compressed = syntax !== EXPLICIT_LE && syntax !== IMPLICIT_LE && syntax !== EXPLICIT_BE;
  if (compressed) {
    // Encapsulated: empty basic offset table item, one fragment, sequence delimiter.
    const item = (payload: Uint8Array) => Buffer.concat([Buffer.from([0xfe, 0xff, 0x00, 0xe0]), ul(payload.length), payload]);
    pixelBytes = Buffer.concat([item(new Uint8Array(0)), item(pixelBytes), Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0])]);
  }
  const data: Element[] = [
    { group: 0x0008, element: 0x0016, vr: 'UI', value: text('1.2.840.10008.5.1.4.1.1.1.1', 'UI') },
    { group: 0x0008, element: 0x0060, vr: 'CS', value: text('DX', 'CS') },
    { group: 0x0028, element: 0x0002, vr: 'US', value: u16(samplesPerPixel) },
    { group: 0x0028, element: 0x0004, vr: 'CS', value: text(photometric, 'CS') },
    ...(samplesPerPixel === 3 ? [{ group: 0x0028, element: 0x0006, vr: 'US', value: u16(0) }] : []),
    { group: 0x0028, element: 0x0010, vr: 'US', value: u16(fixture.rows) },
    { group: 0x0028, element: 0x0011, vr: 'US', value: u16(fixture.columns) },
    { group: 0x0028, element: 0x0100, vr: 'US', value: u16(fixture.bitsAllocated) },
    { group: 0x0028, element: 0x0101, vr: 'US', value: u16(fixture.bitsStored) },
    { group: 0x0028, element: 0x0102, vr: 'US', value: u16(fixture.bitsStored - 1) },
    { group: 0x0028, element: 0x0103, vr: 'US', value: u16(fixture.pixelRepresentation ?? 0) },
  ];
  if (fixture.windowCenter !== undefined) data.push({ group: 0x0028, element: 0x1050, vr: 'DS', value: text(ds(fixture.windowCenter), 'DS') });
  if (fixture.windowWidth !== undefined) data.push({ group: 0x0028, element: 0x1051, vr: 'DS', value: text(ds(fixture.windowWidth), 'DS') });
  if (fixture.rescaleIntercept !== undefined) data.push({ group: 0x0028, element: 0x1052, vr: 'DS', value: text(ds(fixture.rescaleIntercept), 'DS') });
  if (fixture.rescaleSlope !== undefined) data.push({ group: 0x0028, element: 0x1053, vr: 'DS', value: text(ds(fixture.rescaleSlope), 'DS') });
  if (fixture.voiLutFunction !== undefined) data.push({ group: 0x0028, element: 0x1056, vr: 'CS', value: text(fixture.voiLutFunction, 'CS') });
  data.push({
    group: 0x7fe0,
    element: 0x0010,
    vr: fixture.bitsAllocated === 8 || compressed ? 'OB' : 'OW',
    value: pixelBytes,
    undefinedLength: compressed,
  });
  const meta: Element[] = [
    { group: 0x0002, element: 0x0001, vr: 'OB', value: Uint8Array.from([0, 1]) },
    { group: 0x0002, element: 0x0002, vr: 'UI', value: text('1.2.840.10008.5.1.4.1.1.1.1', 'UI') },
    { group: 0x0002, element: 0x0003, vr: 'UI', value: text('1.2.3.4.5.6.7.8', 'UI') },
    { group: 0x0002, element: 0x0010, vr: 'UI', value: text(syntax, 'UI') },
    { group: 0x0002, element: 0x0012, vr: 'UI', value: text('1.2.3.4', 'UI') },
  ];
  const metaBytes = Buffer.concat(meta.map((el) => encode(el, true)));
  const groupLength = encode({ group: 0x0002, element: 0x0000, vr: 'UL', value: ul(metaBytes.length) }, true);
  return new Uint8Array(
    Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), groupLength, metaBytes, ...data.map((el) => encode(el, explicit, bigEndian))]),
  );
}
