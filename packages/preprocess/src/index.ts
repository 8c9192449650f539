/**
 * @fracture/preprocess: everything between an X-ray file on disk and a batch of
 * tensors a model can train on. Decoders for PNG, JPEG and DICOM, image
 * operations on tfjs tensors (resize, crops, rotation, flips, colour jitter,
 * blur, histogram equalisation, CLAHE, normalisation), seeded augmentation
 * pipelines, dataset scanning, leak-free splits grouped by source radiograph,
 * a memory-bounded streaming batch loader and a synthetic radiograph generator.
 *
 * @packageDocumentation
 */

export type { Rng, RngState } from './types';
export { createRng, restoreRng, toRng } from './rng';
export { CLASS_NAMES, POSITIVE_CLASS } from './class-names';
