import { checkDeclaredSize, decodeImage, detectImageFormat, ImageDecodeError } from './decode-image';
import { jpegComponents } from './decode-jpeg';
import { readJpegFrameHeader } from './jpeg-frame-header';
import { parseSize } from './image-tensor';
import { loadWasmJpegDecoder, type WasmJpegDecode } from './decode-jpeg-wasm';
import type { DecodedImage, DecodeImageAsyncOptions, JpegDecoderSetup } from './image-types';

/** jpeg-js's own limit (decode-jpeg.ts): larger files go to it and fail there with its message. */
const MAX_WASM_PIXELS = 200e6;

/** The slice of sharp's API used here, so that sharp's own types are not needed to build or use this package. */
interface SharpInstance {
  resize(width: number, height: number, options: { fit: 'fill'; kernel: 'linear' }): SharpInstance;
  toColourspace(space: 'b-w'): SharpInstance;
  raw(): SharpInstance;
  toBuffer(options: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
}
type SharpFactory = (input: Uint8Array, options: { failOn: 'error' | 'warning' | 'truncated' | 'none' }) => SharpInstance;

let sharpLoad: Promise<SharpFactory | null> | undefined;

// A specifier bundlers cannot see through: sharp is native and optional, so a browser bundle must not try to
// include it; there the import fails and the next decoder is used.
const importOptional = (specifier: string): Promise<unknown> => import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);

/** `FRACTURE_DECODER`: `auto` (default), `sharp`, `wasm` or `jpeg-js`; anything else is an error. */
export function decoderChoice(): 'auto' | 'sharp' | 'wasm' | 'jpeg-js' {
  // Browsers have no process: there the default applies.
  const setting = typeof process === 'undefined' ? undefined : process.env.FRACTURE_DECODER;
  const value = (setting ?? '').trim().toLowerCase();
  if (value === '' || value === 'auto') return 'auto';
  if (value === 'sharp' || value === 'wasm' || value === 'jpeg-js') return value;
  throw new Error(`decodeImageAsync: FRACTURE_DECODER must be auto, sharp, wasm or jpeg-js, got '${setting}'`);
}

/**
 * sharp (libvips + libjpeg-turbo) when it can be loaded, else null. It is an optional dependency: a platform
 * without its prebuilt binary keeps the other decoders.
 */
function loadSharp(): Promise<SharpFactory | null> {
  sharpLoad ??= importOptional('sharp').then(
    (module) => ((module as { default?: unknown }).default ?? module) as SharpFactory,
    () => null,
  );
  return sharpLoad;
}

/** The JPEG decoders `FRACTURE_DECODER` allows and this machine can load (null for the others). */
async function loadDecoders(): Promise<{ sharp: SharpFactory | null; wasm: WasmJpegDecode | null }> {
  const choice = decoderChoice();
  const [sharp, wasm] = await Promise.all([
    choice === 'wasm' || choice === 'jpeg-js' ? null : loadSharp(),
    choice === 'sharp' || choice === 'jpeg-js' ? null : loadWasmJpegDecoder(),
  ]);
  return { sharp, wasm };
}

/**
 * Which JPEG decoders `decodeImageAsync` uses on this machine:
 * - `'sharp+wasm'` (default with sharp installed): sharp for large JPEGs it can shrink on load, libjpeg-turbo
 *   built to WebAssembly for the rest;
 * - `'wasm'`: libjpeg-turbo in WebAssembly for every JPEG (no sharp, or `FRACTURE_DECODER=wasm`);
 * - `'sharp'`: sharp for every JPEG (`FRACTURE_DECODER=sharp`);
 * - `'jpeg-js'`: the pure-JS decoder (`FRACTURE_DECODER=jpeg-js`, or neither of the others loads).
 * All but `'jpeg-js'` give libjpeg-turbo's pixels; jpeg-js differs from them by a level or two.
 */
export async function jpegDecoder(): Promise<JpegDecoderSetup> {
  const { sharp, wasm } = await loadDecoders();
  if (sharp) return wasm ? 'sharp+wasm' : 'sharp';
  return wasm ? 'wasm' : 'jpeg-js';
}

/**
 * The smallest factor-of-two-reduced size libvips may decode to: at least twice the target on both sides,
 * so that our antialiased resize still has two source pixels per output pixel after the reduction.
 */
function reducedSize(width: number, height: number, target: [number, number]): [number, number] | null {
  const [outHeight, outWidth] = target;
  let factor = 1;
  while (factor < 8 && width / (factor * 2) >= 2 * outWidth && height / (factor * 2) >= 2 * outHeight) factor *= 2;
  return factor === 1 ? null : [Math.ceil(width / factor), Math.ceil(height / factor)];
}

/**
 * `decodeImage` with fast paths for JPEG: libjpeg-turbo built to WebAssembly (~4x faster than jpeg-js, no
 * native binary) and, when installed, sharp for large files it can shrink on load (see `jpegDecoder`).
 * CMYK JPEGs, other formats and any JPEG libjpeg-turbo refuses go through `decodeImage`, so errors read the
 * same. With `reduceTo`, a large JPEG may come back smaller (libjpeg's DCT-domain shrink-on-load by 2, 4 or
 * 8, then a triangle filter), never below twice `reduceTo` on either side: meant to be followed by
 * `resize(…, reduceTo)`. Without sharp, images come back at full size.
 */
export async function decodeImageAsync(bytes: Uint8Array, options: DecodeImageAsyncOptions = {}): Promise<DecodedImage> {
  const { path, maxPixels } = options;
  const target = options.reduceTo === undefined ? undefined : parseSize(options.reduceTo, 'decodeImageAsync');
  if (!(bytes instanceof Uint8Array) || detectImageFormat(bytes) !== 'jpeg') return decodeImage(bytes, { path, maxPixels });
  checkDeclaredSize(bytes, 'jpeg', maxPixels, 'decodeImage', path);
  const { sharp, wasm } = await loadDecoders();
  let components: number;
  try {
    components = jpegComponents(bytes);
  } catch (error) {
    throw new ImageDecodeError(error instanceof Error ? error.message : String(error), path);
  }
  // CMYK and anything unusual: jpeg-js, whose errors and conversions decodeImage documents.
  if (components !== 1 && components !== 3) return decodeImage(bytes, { path, maxPixels });
  const header = jpegFrameSize(bytes);
  const reduced = target && header ? reducedSize(header.width, header.height, target) : null;
  // sharp's DCT-domain shrink-on-load is the fast way through a large radiograph; for everything else its
  // fixed cost per call (~1 ms) outweighs the decode, and the in-process WebAssembly decoder is faster.
  if (sharp && (reduced || !wasm)) {
    const decoded = await decodeWithSharp(sharp, bytes, components, reduced);
    if (decoded) return decoded;
  } else if (wasm && header && header.width * header.height <= MAX_WASM_PIXELS) {
    try {
      const { data, width, height, channels } = wasm(bytes);
      return { data, width, height, channels, bitDepth: 8 };
    } catch {
      // Truncated or odd files: jpeg-js gives the precise error (or decodes what libjpeg refused).
    }
  }
  return decodeImage(bytes, { path, maxPixels });
}

/** sharp's decode (shrunk on load to `reduced` when given), or null when libjpeg refuses the file. */
async function decodeWithSharp(
  sharp: SharpFactory,
  bytes: Uint8Array,
  components: number,
  reduced: [number, number] | null,
): Promise<DecodedImage | null> {
  try {
    let pipeline = sharp(bytes, { failOn: 'warning' });
    // libvips would otherwise hand a gray JPEG back as three identical sRGB bands (3x the memory and work).
    if (components === 1) pipeline = pipeline.toColourspace('b-w');
    if (reduced) pipeline = pipeline.resize(reduced[0], reduced[1], { fit: 'fill', kernel: 'linear' });
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    const channels = components === 1 ? 1 : 3;
    if (info.channels === channels) {
      return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels, bitDepth: 8 };
    }
    // libvips may hand a gray JPEG back as RGB: keep one channel, as jpeg-js's path does.
    const out = new Uint8Array(info.width * info.height * channels);
    for (let p = 0; p < info.width * info.height; p++) {
      for (let c = 0; c < channels; c++) out[p * channels + c] = data[p * info.channels + Math.min(c, info.channels - 1)];
    }
    return { data: out, width: info.width, height: info.height, channels, bitDepth: 8 };
  } catch {
    return null;
  }
}

/** Width and height from the JPEG frame header, or null when it cannot be found. */
function jpegFrameSize(bytes: Uint8Array): { width: number; height: number } | null {
  try {
    return readJpegFrameHeader(bytes);
  } catch {
    return null;
  }
}
