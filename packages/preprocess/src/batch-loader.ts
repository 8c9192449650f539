import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, BatchLoader, BatchLoaderOptions, DatasetItem, SkippedFile } from './dataset-types';
import { decodeImageAsync, decoderChoice, jpegDecoder } from './decode-image-async';
import { normalize } from './normalize';
import { createRng } from './rng';
import type { Rng } from './types';
import { toModelInput } from './to-model-input';
import type { ModelInputSettings } from './to-model-input';

const CACHE_MAGIC = 0x43525846; // 'FXRC' little-endian
const CACHE_VERSION = 1;
const CACHE_HEADER_BYTES = 16;

/** A resized image, 8-bit, `[H, W, C]` row-major: small enough to queue. */
interface ResizedPixels {
  data: Uint8Array;
}

type LoadResult = { ok: true; pixels: ResizedPixels } | { ok: false; reason: string };

/**
 * Streams a dataset as batches: read → decode → resize to the model's input (antialiased) → 8-bit → augment →
 * normalise → stack, with one-hot labels. Files are read ahead on a bounded queue, so memory stays bounded
 * whatever the dataset size: at most `(prefetchBatches + 1) × batchSize` resized 8-bit images, `concurrency`
 * file buffers, and one full-size decoded image (with its float copy during the resize) at any time — or, with
 * sharp decoding JPEGs off the main thread, up to `concurrency` decoded JPEGs (shrunk on load when large).
 * Images that cannot be read or decoded are recorded in `failures` and left out of their batch.
 */
export function createBatchLoader(items: readonly DatasetItem[], options: BatchLoaderOptions): BatchLoader {
  const settings = validateOptions(items, options);
  const { height, width, channels, batchSize, numClasses } = settings;
  const failures = new Map<string, string>();
  const cacheStats = { hits: 0, misses: 0 };
  const list = items.slice();
  const numBatches = settings.dropLast ? Math.floor(list.length / batchSize) : Math.ceil(list.length / batchSize);

  // The decoder is part of the key: libjpeg-turbo and jpeg-js differ by a level or two.
  const cacheFileOf = async (item: DatasetItem, cacheDir: string): Promise<string> => {
    const info = await stat(item.path);
    const decoder = await jpegDecoder();
    const key = JSON.stringify([path.resolve(item.path), info.mtimeMs, info.size, height, width, channels, settings.antialias, decoder]);
    return path.join(cacheDir, `${createHash('sha1').update(key).digest('hex')}.bin`);
  };

  const loadOne = async (item: DatasetItem): Promise<LoadResult> => {
    try {
      let cacheFile: string | undefined;
      if (settings.cacheDir) {
        cacheFile = await cacheFileOf(item, settings.cacheDir);
        const cached = await readCacheFile(cacheFile, height, width, channels);
        if (cached) {
          cacheStats.hits++;
          return { ok: true, pixels: { data: cached } };
        }
        cacheStats.misses++;
      }
      const bytes = await readFile(item.path);
      const data = await decodeAndResizeAsync(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), item.path, settings);
      // A cache that cannot be written (read-only or full disk) only costs speed, never the image.
      if (cacheFile) await writeCacheFile(cacheFile, data, height, width, channels).catch(() => undefined);
      return { ok: true, pixels: { data } };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, reason: message };
    }
  };

  /**
   * Whether an image of a batch being skipped would load, recording it in `failures` when not. An image whose
   * cache file exists decoded before (the cache is written only on success, and its key changes with the file),
   * so a resume over cached data costs two `stat`s per image instead of a read and an augmentation.
   */
  const probeOne = async (item: DatasetItem): Promise<boolean> => {
    if (settings.cacheDir) {
      try {
        const info = await stat(await cacheFileOf(item, settings.cacheDir));
        if (info.size === CACHE_HEADER_BYTES + height * width * channels) return true;
      } catch {
        // not cached (or the image itself is gone): load it to find out
      }
    }
    const result = await loadOne(item);
    if (!result.ok && !failures.has(item.path)) failures.set(item.path, result.reason);
    return result.ok;
  };

  async function* batches(epoch = 0, options: { startBatch?: number } = {}): AsyncGenerator<Batch> {
    if (!Number.isInteger(epoch) || epoch < 0) {
      throw new Error(`createBatchLoader: batches(epoch) expects a non-negative integer, got ${epoch}`);
    }
    const startBatch = options.startBatch ?? 0;
    if (!(Number.isInteger(startBatch) && startBatch >= 0 && startBatch <= numBatches)) {
      throw new Error(`createBatchLoader: expected startBatch to be an integer from 0 to ${numBatches} (the batches per epoch), got ${startBatch}`);
    }
    const order = list.map((_, i) => i);
    if (settings.shuffle) {
      const rng = createRng(mixSeeds(settings.seed, epoch, 0x5eed));
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(0, i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    const total = numBatches * batchSize < order.length ? numBatches * batchSize : order.length;
    const pending = new Map<number, Promise<LoadResult>>();
    const limiter = createLimiter(settings.concurrency);
    let started = 0;
    const lookahead = (settings.prefetchBatches + 1) * batchSize;
    const fill = (consumed: number) => {
      while (started < total && started < consumed + lookahead) {
        const position = started++;
        pending.set(position, limiter(() => loadOne(list[order[position]])));
      }
    };

    // Batches whose images all fail are not yielded, so the yielded index `startBatch` is found by probing every
    // image of the earlier batches (which also reports their failures), without assembling or augmenting anything.
    let firstBatch = 0;
    let skipped = 0;
    while (skipped < startBatch) {
      if (firstBatch >= numBatches) {
        throw new Error(`createBatchLoader: resuming epoch ${epoch + 1} after batch ${startBatch}, but only ${skipped} batches of it have an image that loads`);
      }
      const first = firstBatch * batchSize;
      const positions = Array.from({ length: Math.min(first + batchSize, total) - first }, (_, i) => first + i);
      const loads = await Promise.all(positions.map((position) => limiter(() => probeOne(list[order[position]]))));
      if (loads.some(Boolean)) skipped++;
      firstBatch++;
    }
    started = firstBatch * batchSize;

    for (let b = firstBatch; b < numBatches; b++) {
      const first = b * batchSize;
      const last = Math.min(first + batchSize, total);
      fill(first);
      const loaded: { item: DatasetItem; index: number; pixels: ResizedPixels }[] = [];
      for (let position = first; position < last; position++) {
        const result = await (pending.get(position) as Promise<LoadResult>);
        pending.delete(position);
        const index = order[position];
        if (result.ok) loaded.push({ item: list[index], index, pixels: result.pixels });
        else if (!failures.has(list[index].path)) failures.set(list[index].path, result.reason);
        fill(first);
      }
      fill(last);
      if (loaded.length === 0) continue;
      yield assembleBatch(loaded, epoch, settings);
    }
  }

  return {
    size: list.length,
    batchSize,
    numBatches,
    supportsStartBatch: true,
    batches,
    get failures(): SkippedFile[] {
      return [...failures].map(([p, reason]) => ({ path: p, reason }));
    },
    get cacheStats() {
      return { ...cacheStats };
    },
  };

  function assertTransformShape(shape: readonly number[]): void {
    assertShape(shape, { height, width, channels });
  }

  function assembleBatch(
    loaded: { item: DatasetItem; index: number; pixels: ResizedPixels }[],
    epoch: number,
    s: Settings,
  ): Batch {
    const ys = new Float32Array(loaded.length * numClasses);
    loaded.forEach(({ item }, i) => (ys[i * numClasses + item.label] = 1));
    const pixelTransform = s.transform?.pixels;
    if (!s.transform || pixelTransform) {
      // Fast path: augment plain typed arrays and upload the batch as one tensor, instead of a few
      // tensor ops per image on the backend.
      const size = height * width * channels;
      const batch = new Float32Array(loaded.length * size);
      loaded.forEach(({ index, pixels }, i) => {
        const rng = createRng(mixSeeds(s.seed, epoch, index + 1));
        augmentInto(batch.subarray(i * size, (i + 1) * size), pixels.data, { height, width, channels }, s.transform, rng);
      });
      const xs = tf.tidy(() => {
        const stacked = tf.tensor4d(batch, [loaded.length, height, width, channels]);
        return s.mean !== undefined || s.std !== undefined ? normalize(stacked, s.mean ?? 0, s.std ?? 1) : stacked;
      });
      return { xs, ys: tf.tensor2d(ys, [loaded.length, numClasses]), items: loaded.map(({ item }) => item) };
    }
    // One tidy per image: intermediates of an augmentation are freed before the next image starts, instead of
    // piling up for the whole batch.
    const images: tf.Tensor3D[] = [];
    let xs: tf.Tensor4D;
    try {
      for (const { index, pixels } of loaded) {
        images.push(
          tf.tidy(() => {
            const scaled = new Float32Array(pixels.data.length);
            for (let i = 0; i < scaled.length; i++) scaled[i] = pixels.data[i] / 255;
            const x = tf.tensor3d(scaled, [height, width, channels]);
            const y = (s.transform as NonNullable<Settings['transform']>)(x, createRng(mixSeeds(s.seed, epoch, index + 1)));
            assertTransformShape(y.shape);
            return y as tf.Tensor3D;
          }),
        );
      }
      xs = tf.tidy(() => {
        const stacked = tf.stack(images) as tf.Tensor4D;
        return s.mean !== undefined || s.std !== undefined ? normalize(stacked, s.mean ?? 0, s.std ?? 1) : stacked;
      });
    } finally {
      tf.dispose(images);
    }
    return { xs, ys: tf.tensor2d(ys, [loaded.length, numClasses]), items: loaded.map(({ item }) => item) };
  }
}

interface Settings {
  height: number;
  width: number;
  channels: 1 | 3;
  batchSize: number;
  numClasses: number;
  shuffle: boolean;
  seed: number;
  transform?: BatchLoaderOptions['transform'];
  mean?: number | number[];
  std?: number | number[];
  prefetchBatches: number;
  concurrency: number;
  cacheDir?: string;
  dropLast: boolean;
  antialias: boolean;
}

function validateOptions(items: readonly DatasetItem[], options: BatchLoaderOptions): Settings {
  const fail = (message: string): never => {
    throw new Error(`createBatchLoader: ${message}`);
  };
  if (!Array.isArray(items)) fail('expected an array of dataset items');
  if (!options) fail('options are required ({ imageSize, batchSize, ... })');
  const size = options.imageSize;
  const [height, width] = typeof size === 'number' ? [size, size] : Array.isArray(size) ? size : [NaN, NaN];
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    fail(`imageSize must be a positive integer or [height, width], got ${JSON.stringify(size)}`);
  }
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) fail(`channels must be 1 or 3, got ${String(channels)}`);
  const positiveInteger = (value: number, name: string) => {
    if (!Number.isInteger(value) || value < 1) fail(`${name} must be a positive integer, got ${value}`);
    return value;
  };
  const batchSize = positiveInteger(options.batchSize, 'batchSize');
  const largestLabel = items.reduce((m, item) => Math.max(m, item.label), -1);
  const numClasses = positiveInteger(options.numClasses ?? Math.max(2, largestLabel + 1), 'numClasses');
  const badLabel = items.find((item) => !Number.isInteger(item.label) || item.label < 0 || item.label >= numClasses);
  if (badLabel) fail(`${badLabel.path}: label must be an integer in [0, ${numClasses}), got ${badLabel.label}`);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) fail(`seed must be a finite number, got ${seed}`);
  if (options.prefetchBatches !== undefined && (!Number.isInteger(options.prefetchBatches) || options.prefetchBatches < 0)) {
    fail(`prefetchBatches must be a non-negative integer, got ${options.prefetchBatches}`);
  }
  if (options.transform !== undefined && typeof options.transform !== 'function') fail('transform must be a function');
  // A bad FRACTURE_DECODER would otherwise fail every image one by one, as skipped files.
  try {
    decoderChoice();
  } catch (error) {
    fail((error as Error).message.replace(/^decodeImageAsync: /, ''));
  }
  return {
    height,
    width,
    channels,
    batchSize,
    numClasses,
    shuffle: options.shuffle ?? false,
    seed,
    transform: options.transform,
    mean: options.mean,
    std: options.std,
    prefetchBatches: options.prefetchBatches ?? 2,
    concurrency: positiveInteger(options.concurrency ?? 4, 'concurrency'),
    cacheDir: options.cacheDir ? path.resolve(options.cacheDir) : undefined,
    dropLast: options.dropLast ?? false,
    antialias: options.antialias ?? true,
  };
}

type ResizeSettings = ModelInputSettings;

/**
 * Decodes (natively via sharp when available, shrinking large JPEGs on load), converts to the model's
 * channels, resizes and rounds to 8 bits. Rounding here makes cached and uncached images identical; the
 * full-size pixels are garbage as soon as this returns.
 */
export async function decodeAndResizeAsync(bytes: Uint8Array, file: string, settings: ResizeSettings): Promise<Uint8Array> {
  const reduceTo = settings.antialias ? ([settings.height, settings.width] as [number, number]) : undefined;
  return toModelInput(await decodeImageAsync(bytes, { path: file, reduceTo }), settings);
}

function assertShape(shape: readonly number[], { height, width, channels }: { height: number; width: number; channels: number }): void {
  if (shape.length !== 3 || shape[0] !== height || shape[1] !== width || shape[2] !== channels) {
    throw new Error(`createBatchLoader: transform must return a [${height}, ${width}, ${channels}] tensor, got [${shape.join(', ')}]`);
  }
}

/**
 * One 8-bit model input scaled to [0, 1] and augmented by `transform`'s pixel kernel, written into `out`.
 * Radiographs are gray even when stored as RGB: a kernel that treats channels alike (`preservesGray`) runs
 * on one channel and is replicated afterwards, a third of the work.
 */
export function augmentInto(
  out: Float32Array,
  pixels: Uint8Array,
  shape: { height: number; width: number; channels: 1 | 3 },
  transform: BatchLoaderOptions['transform'],
  rng: Rng,
): void {
  const { height, width, channels } = shape;
  const kernel = transform?.pixels;
  const plane = kernel && transform?.preservesGray === true && channels === 3 ? grayPlaneOf(pixels) : undefined;
  if (kernel && plane) {
    const image = kernel({ data: plane, width, height, channels: 1 }, rng);
    assertShape([image.height, image.width, channels], shape);
    if (image.channels !== 1) {
      throw new Error(`createBatchLoader: a transform marked preservesGray returned ${image.channels} channels for a one-channel image`);
    }
    for (let p = 0; p < plane.length; p++) out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = image.data[p];
    return;
  }
  for (let k = 0; k < pixels.length; k++) out[k] = pixels[k] / 255;
  if (!kernel) return;
  // Kernels never write their input, so the scaled pixels can be read from `out` itself.
  const image = kernel({ data: out, width, height, channels }, rng);
  assertShape([image.height, image.width, image.channels], shape);
  out.set(image.data);
}

/** An RGB image's gray level in [0, 1] per pixel when R = G = B everywhere, else undefined (one pass). */
function grayPlaneOf(rgb: Uint8Array): Float32Array | undefined {
  const plane = new Float32Array(rgb.length / 3);
  for (let p = 0, i = 0; p < plane.length; p++, i += 3) {
    const level = rgb[i]!;
    if (level !== rgb[i + 1] || level !== rgb[i + 2]) return undefined;
    plane[p] = level / 255;
  }
  return plane;
}

/** A 32-bit seed from (seed, epoch, stream): nearby inputs give unrelated generators. */
export function mixSeeds(seed: number, epoch: number, stream: number): number {
  let h = (seed >>> 0) ^ Math.imul(epoch + 1, 0x9e3779b1) ^ Math.imul(stream, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

async function readCacheFile(file: string, height: number, width: number, channels: number): Promise<Uint8Array | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return undefined;
  }
  const expected = CACHE_HEADER_BYTES + height * width * channels;
  if (bytes.length !== expected) return undefined;
  const header = new DataView(bytes.buffer, bytes.byteOffset, CACHE_HEADER_BYTES);
  const valid =
    header.getUint32(0, true) === CACHE_MAGIC &&
    header.getUint16(4, true) === CACHE_VERSION &&
    header.getUint16(6, true) === channels &&
    header.getUint32(8, true) === height &&
    header.getUint32(12, true) === width;
  return valid ? new Uint8Array(bytes.buffer, bytes.byteOffset + CACHE_HEADER_BYTES, height * width * channels) : undefined;
}

/** Temporary file then rename: a reader never sees half an image, and concurrent writers cannot interleave. */
async function writeCacheFile(file: string, data: Uint8Array, height: number, width: number, channels: number): Promise<void> {
  const bytes = new Uint8Array(CACHE_HEADER_BYTES + data.length);
  const header = new DataView(bytes.buffer, 0, CACHE_HEADER_BYTES);
  header.setUint32(0, CACHE_MAGIC, true);
  header.setUint16(4, CACHE_VERSION, true);
  header.setUint16(6, channels, true);
  header.setUint32(8, height, true);
  header.setUint32(12, width, true);
  bytes.set(data, CACHE_HEADER_BYTES);
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, file);
}
