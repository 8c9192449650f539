import type { Tensor2D, Tensor3D, Tensor4D } from '@tensorflow/tfjs-core';
import type { PixelTransform } from './image-types';
import type { DecodedImage, Rng } from './types';

/** One image of a labelled dataset. */
export interface DatasetItem {
  /** Absolute path of the image file (relative paths appear only inside CSV manifests). */
  path: string;
  /** Class index: position of `className` in the sorted class names (torchvision `ImageFolder` order). */
  label: number;
  className: string;
  /**
   * After a scan: the dataset's own split folder (`train`, `val`, `test`), if any.
   * After `splitDataset`: the part the item was assigned to.
   */
  split?: string;
  /** The source radiograph the image was derived from; images of one `(className, sourceId)` are one group. */
  sourceId?: string;
  /** What the dataset says about the image beyond its label (FracAtlas: body region, implants, views). */
  metadata?: ImageMetadata;
  /** Annotated fracture boxes in pixels of the image file; `[]` when the dataset has none for a labelled image. */
  boxes?: FractureBox[];
}

/** Per-image facts a dataset ships with, used for subgroup reports. Absent fields are unknown, not false. */
export interface ImageMetadata {
  /** The dataset's own image id (FracAtlas: `IMG0001234`). */
  imageId?: string;
  /** Body regions shown, lower-case (`hand`, `leg`, `hip`, `shoulder`, `mixed`). */
  regions?: string[];
  /** An orthopaedic implant is visible: a shortcut a model can learn instead of the fracture. */
  hardware?: boolean;
  /** Several exposures on one film. */
  multiscan?: boolean;
  /** Projections shown (`frontal`, `lateral`, `oblique`). */
  views?: string[];
  /** Number of fractures the annotators counted. */
  fractureCount?: number;
  /** Path of the first byte-identical image, when this one is a copy. */
  duplicateOf?: string;
}

/** A file that was left out, and why. */
export interface SkippedFile {
  path: string;
  reason: string;
}

/**
 * `kaggle`: `root/{train,val,test}/<class>/...`; `image-folder`: `root/<class>/...`; `fracatlas`: the FracAtlas
 * release (`images/{Fractured,Non_fractured}`, `dataset.csv`, YOLO boxes under `Annotations/YOLO` or `annotations/YOLO`).
 */
export type DatasetLayout = 'kaggle' | 'image-folder' | 'fracatlas';

export interface ScanImageFolderOptions {
  /**
   * `header` (default) reads each image's first and last bytes: the format signature and the end marker
   * (a cheap check that catches truncated files); `none` trusts the file extension.
   */
  verify?: 'header' | 'none';
  /**
   * FracAtlas: consecutive image ids per block (default 100). Images without patient ids are grouped by block,
   * because nearby ids often come from one examination; `sourceId` names the block.
   */
  idBlockSize?: number;
}

export interface ScanResult {
  root: string;
  layout: DatasetLayout;
  /** Images in torchvision `ImageFolder` order: split folder, class, directory, file name (by code point). */
  items: DatasetItem[];
  classNames: string[];
  /** Files that are not images (by extension and signature), with the reason. */
  skipped: SkippedFile[];
  /** Files that look like images but cannot be read (truncated, wrong signature, I/O error), with the reason. */
  unreadable: SkippedFile[];
  /** Things a user should know that did not stop the scan (FracAtlas: labels where the CSV disagrees with the folder). */
  warnings?: string[];
  /** Groups of byte-identical images (paths), when the layout checks for them (FracAtlas). */
  duplicates?: string[][];
}

/**
 * `paper`: train and val pooled, shuffled with the seed, split 78/7/15 % of images (the study's protocol).
 * `grouped`: the same proportions, but every `(className, sourceId)` group lands in exactly one part, stratified by class.
 * `given`: the dataset's own folders: `val` (and `test`) become the test part; `train` is split into train and
 * validation by source group (`valFraction` of its images).
 * `blocks`: for data without patient ids (FracAtlas): every `sourceId` (a block of consecutive image ids) lands in
 * one part whatever its classes, and blocks are assigned so that each part gets its share of every class.
 */
export type SplitProtocol = 'paper' | 'grouped' | 'given' | 'blocks';

export interface SplitOptions {
  protocol: SplitProtocol;
  seed: number;
  /** Fractions of images for train, val and test (`paper`, `grouped`). Default `[0.78, 0.07, 0.15]`. */
  fractions?: [number, number, number];
  /** `paper` only: shuffle and cut each class separately. The study did not. Default `false`. */
  stratify?: boolean;
  /** `given` only: fraction of the `train` folder's images carved out for validation. Default `0.07 / 0.85`. */
  valFraction?: number;
}

export interface DatasetSplit {
  train: DatasetItem[];
  val: DatasetItem[];
  test: DatasetItem[];
}

export type SplitPart = keyof DatasetSplit;

/** A source group found in more than one part of a split. */
export interface SharedSource {
  className: string;
  sourceId: string;
  parts: SplitPart[];
}

export interface ReadSplitManifestOptions {
  /** Directory the manifest's paths are relative to. Default: the manifest's own directory. */
  root?: string;
  /** Check that every file exists (default `true`); the error names the missing files. */
  checkFiles?: boolean;
}

export interface WriteSplitManifestOptions {
  /** Directory the manifest's paths are written relative to. Default: the manifest's own directory. */
  root?: string;
}

/**
 * An augmentation applied to one resized image `[H, W, C]` in [0, 1]; any `Transform` (e.g. from `compose`) fits.
 * It must return a rank-3 tensor of the same size and must not dispose its input.
 */
export type ItemTransform = ((x: Tensor3D, rng: Rng) => Tensor3D | Tensor4D) & {
  /** When present (built-in `transforms` and `compose` of them), the loader runs this on plain pixels instead. */
  readonly pixels?: PixelTransform;
  /** With `pixels`: gray images may be augmented at one channel and replicated (see `Transform.preservesGray`). */
  readonly preservesGray?: boolean;
};

export interface BatchLoaderOptions {
  /** Model input size: `224` or `[height, width]`. */
  imageSize: number | [number, number];
  /** Channels of the model input; grayscale is replicated to 3, colour is averaged to 1. Default 3. */
  channels?: 1 | 3;
  batchSize: number;
  /** Number of classes of the one-hot labels. Default: largest label + 1, at least 2. */
  numClasses?: number;
  /** Reshuffle every epoch, seeded by `(seed, epoch)`. Default `false` (item order). */
  shuffle?: boolean;
  /** Seeds the shuffle and the augmentation. Default 0. */
  seed?: number;
  /** Augmentation on each resized image in [0, 1] (before normalisation); gets a generator seeded by (seed, epoch, position). */
  transform?: ItemTransform;
  /** Per-channel (or scalar) mean subtracted after augmentation. Default: none. */
  mean?: number | number[];
  /** Per-channel (or scalar) standard deviation divided by after the mean. Default: none. */
  std?: number | number[];
  /** Batches prepared ahead of the consumer. Default 2. Bounds memory: see the README. */
  prefetchBatches?: number;
  /** Files read from disk at the same time. Default 4. */
  concurrency?: number;
  /** Directory for resized 8-bit copies, keyed by path, mtime, size, image size and channels. */
  cacheDir?: string;
  /** Drop the last incomplete batch. Default `false`. */
  dropLast?: boolean;
  /** Antialiased downscaling (like PIL). Default `true`. */
  antialias?: boolean;
}

export interface Batch {
  /** `[N, H, W, C]` float32, normalised; the consumer disposes it. */
  xs: Tensor4D;
  /** One-hot `[N, numClasses]`; the consumer disposes it. */
  ys: Tensor2D;
  items: DatasetItem[];
}

export interface BatchLoader {
  /** Number of items given to the loader. */
  readonly size: number;
  readonly batchSize: number;
  /** Batches per epoch. An image that fails makes its batch smaller; a batch whose images all fail is skipped. */
  readonly numBatches: number;
  /**
   * Yields the batches of one epoch; the same seed and epoch give the same order and augmentation. `startBatch`
   * resumes inside an epoch: it yields exactly what a pass from the start yields from that (0-based) batch on,
   * without assembling or augmenting the earlier batches (it probes their images, over the cache with two `stat`s each, so
   * that a batch whose images all fail is counted as a full pass counts it and failures are still reported).
   */
  batches(epoch?: number, options?: { startBatch?: number }): AsyncIterable<Batch>;
  /**
   * True when `batches(epoch, { startBatch })` skips the earlier batches itself (both loaders of this package); a
   * loader of your own without it is resumed by @fracture/train drawing and disposing the earlier batches.
   */
  readonly supportsStartBatch?: boolean;
  /** Images that could not be read or decoded, with the reason; they are skipped, never thrown. */
  readonly failures: SkippedFile[];
  /** Cache hits and misses since the loader was created. */
  readonly cacheStats: { hits: number; misses: number };
}

export interface FractureBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SyntheticRadiographOptions {
  count: number;
  /** Side of the square image. Default 128. */
  size?: number;
  seed: number;
  /** Fraction of source radiographs with a fracture. Default 0.5. */
  fractureFraction?: number;
  /** Images rendered from each source radiograph (new orientation, exposure and noise; same bone and break). Default 1. */
  variantsPerSource?: number;
}

export interface SyntheticRadiograph {
  /** 8-bit grayscale. */
  image: DecodedImage;
  /** Index in `CLASS_NAMES`: 0 fractured, 1 not fractured. */
  label: number;
  className: string;
  /** Bounding box of the break in pixels, or `null` without a fracture. */
  fractureBox: FractureBox | null;
  sourceId: string;
}

export interface WriteSyntheticDatasetOptions extends SyntheticRadiographOptions {
  /** `kaggle` (default): `dir/{train,val}/<class>/N-rotatedK.png`; `image-folder`: `dir/<class>/N-rotatedK.png`. */
  layout?: DatasetLayout;
  /** `kaggle` only: fraction of source radiographs written to `val`. Default 0.2. */
  valFraction?: number;
}

export interface SyntheticDatasetSummary {
  root: string;
  layout: DatasetLayout;
  items: DatasetItem[];
  classNames: string[];
}
