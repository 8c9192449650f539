/**
 * @fracture/preprocess: everything between an X-ray file and a batch of
 * tensors a model can train on. Decoders for PNG, JPEG and DICOM, image
 * operations on tfjs tensors (resize, crops, rotation, flips, colour jitter,
 * blur, histogram equalisation, CLAHE, normalisation), seeded augmentation
 * pipelines, leak-free splits grouped by source radiograph and a synthetic
 * radiograph generator. Each image op is one kernel on a plain pixel buffer
 * (`PixelImage`) that both the tensor function and the loader's augmentation
 * path run. This entry imports nothing from Node, so it runs in browsers; the
 * file-system parts (dataset scanning and inspection, split manifests on disk,
 * the streaming batch loader, writing synthetic datasets) come from
 * `@fracture/preprocess/node`, which Node resolves `@fracture/preprocess` to as
 * well. JPEGs decode natively through the optional `sharp` dependency when it
 * is installed.
 *
 * @packageDocumentation
 */

export type { Rng, RngState } from './types';
export { createRng, restoreRng, toRng } from './rng';
export { CLASS_NAMES, POSITIVE_CLASS } from './class-names';
export type {
  DecodedImage,
  DecodeImageAsyncOptions,
  DecodeImageOptions,
  FromTensorOptions,
  ImageSize,
  ImageTensor,
  JpegDecoderSetup,
  PixelImage,
  PixelTransform,
  SeedOrRng,
  ToTensorOptions,
  Transform,
} from './image-types';
export { decodeImage, detectImageFormat, ImageDecodeError } from './decode-image';
export { decodeImageAsync, jpegDecoder } from './decode-image-async';
export { DEFAULT_MAX_PIXELS, readDeclaredSize } from './pixel-limit';
export type { DeclaredSize } from './pixel-limit';
export { fromTensor, toTensor } from './to-tensor';
export { resize } from './resize';
export type { ResizeOptions } from './resize';
export { denormalize, IMAGENET_MEAN, IMAGENET_STD, normalize } from './normalize';
export { applyTransform, compose } from './compose';
export { encodePng } from './encode-png';
export { centerCrop, crop, resizedCrop } from './center-crop';
export type { CropBox } from './center-crop';
export { randomResizedCrop, sampleResizedCropBox } from './random-resized-crop';
export type { RandomResizedCropOptions } from './random-resized-crop';
export { randomRotation, rotate } from './rotate';
export type { RandomRotationOptions, RotateOptions } from './rotate';
export { flipHorizontal, flipVertical, randomFlip } from './flip';
export type { RandomFlipOptions } from './flip';
export { adjustBrightness, adjustContrast, adjustSaturation, colorJitter } from './color-jitter';
export type { ColorJitterOptions, JitterRange } from './color-jitter';
export { gaussianBlur, gaussianKernel1d } from './gaussian-blur';
export type { GaussianBlurOptions } from './gaussian-blur';
export { equalizeHistogram } from './equalize-histogram';
export { clahe } from './clahe';
export type { ClaheOptions } from './clahe';
export { toGrayscale, toRgb } from './grayscale';
export { minMaxScale, scaleToUnit } from './scale-intensity';
export * as transforms from './transforms';
export type {
  Batch,
  BatchLoader,
  BatchLoaderOptions,
  DatasetItem,
  DatasetLayout,
  DatasetSplit,
  FractureBox,
  ImageMetadata,
  ItemTransform,
  ReadSplitManifestOptions,
  ScanImageFolderOptions,
  ScanResult,
  SharedSource,
  SkippedFile,
  SplitOptions,
  SplitPart,
  SplitProtocol,
  SyntheticDatasetSummary,
  SyntheticRadiograph,
  SyntheticRadiographOptions,
  WriteSplitManifestOptions,
  WriteSyntheticDatasetOptions,
} from './dataset-types';
export { sourceGroupKey, sourceIdFromFileName } from './source-id';
export { findSharedSources, PAPER_FRACTIONS, splitDataset } from './split-dataset';
export { stratifiedSubset } from './stratified-subset';
export { toModelInput } from './to-model-input';
export type { ModelInputSettings } from './to-model-input';
export { generateSyntheticRadiographs } from './synthetic-radiographs';
export { readImageDimensions } from './image-size';
export type { ImageDimensions } from './image-size';
