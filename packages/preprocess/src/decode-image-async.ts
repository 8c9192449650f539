import { decodeImage, detectImageFormat, ImageDecodeError } from './decode-image';
import { jpegComponents } from './decode-jpeg';
import { readJpegFrameHeader } from './jpeg-frame-header';
import { parseSize } from './image-tensor';
import type { DecodedImage, DecodeImageAsyncOptions } from './image-types';

/** The slice of sharp's API used here, so that sharp's own types are not needed to build or use this package. */
interface SharpInstance {
  resize(width: number, height: number, options: { fit: 'fill'; kernel: 'linear' }): SharpInstance;
  toColourspace(space: 'b-w'): SharpInstance;
  raw(): SharpInstance;
  toBuffer(options: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
}
type SharpFactory = (input: Uint8Array, options: { failOn: 'error' | 'warning' | 'truncated' | 'none' }) => SharpInstance;

let sharpLoad: Promise<SharpFactory | null> | undefined;

/**
 * sharp (libvips + libjpeg-turbo) when it can be loaded, else null. It is an optional dependency: a
 * platform without its prebuilt binary, or `FRACTURE_DECODER=jpeg-js`, keeps the pure-JS decoder.
 */
export function loadSharp(): Promise<SharpFactory | null> {
  if (process.env.FRACTURE_DECODER === 'jpeg-js') return Promise.resolve(null);
  sharpLoad ??= import('sharp').then(
    (module) => ((module as { default?: unknown }).default ?? module) as SharpFactory,
    () => null,
  );
  return sharpLoad;
}

/** Which JPEG decoder `decodeImageAsync` uses on this machine: 'sharp' (libjpeg-turbo) or the fallback 'jpeg-js'. */
export async function jpegDecoder(): Promise<'sharp' | 'jpeg-js'> {
  return (await loadSharp()) ? 'sharp' : 'jpeg-js';
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
 * `decodeImage` with a fast native path: JPEGs go through sharp (libjpeg-turbo, ~8x faster than jpeg-js)
 * when it is installed; everything else, CMYK JPEGs and any JPEG sharp rejects go through `decodeImage`,
 * so errors read the same. With `reduceTo`, a large JPEG may come back smaller (libjpeg's DCT-domain
 * shrink-on-load by 2, 4 or 8, then a triangle filter), never below twice `reduceTo` on either side:
 * meant to be followed by `resize(…, reduceTo)`.
 */
export async function decodeImageAsync(bytes: Uint8Array, options: DecodeImageAsyncOptions = {}): Promise<DecodedImage> {
  const { path } = options;
  const target = options.reduceTo === undefined ? undefined : parseSize(options.reduceTo, 'decodeImageAsync');
  if (!(bytes instanceof Uint8Array) || detectImageFormat(bytes) !== 'jpeg') return decodeImage(bytes, { path });
  const sharp = await loadSharp();
  let components: number;
  try {
    components = jpegComponents(bytes);
  } catch (error) {
    throw new ImageDecodeError(error instanceof Error ? error.message : String(error), path);
  }
  if (!sharp || (components !== 1 && components !== 3)) return decodeImage(bytes, { path });
  try {
    const header = jpegFrameSize(bytes);
    let pipeline = sharp(bytes, { failOn: 'warning' });
    // libvips would otherwise hand a gray JPEG back as three identical sRGB bands (3x the memory and work).
    if (components === 1) pipeline = pipeline.toColourspace('b-w');
    const reduced = target && header ? reducedSize(header.width, header.height, target) : null;
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
    // Truncated or odd files: jpeg-js gives the precise error (or decodes what libjpeg refused).
    return decodeImage(bytes, { path });
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
