/**
 * @fracture/preprocess for Node: the whole package, i.e. the portable entry plus the parts that read or write
 * files: dataset scanning (the FracAtlas release included) and inspection, split manifests on disk, the streaming batch loader and synthetic
 * datasets written to a folder. Node resolves `@fracture/preprocess` here through the `node` export condition;
 * `@fracture/preprocess/node` names it explicitly.
 *
 * @packageDocumentation
 */

export * from './index';
export { scanImageFolder } from './scan-image-folder';
export { blockId, isFracAtlasRoot, parseYoloBoxes, scanFracAtlas } from './fracatlas-layout';
export { formatSplitManifest, parseSplitManifest, readSplitManifest, SPLIT_MANIFEST_HEADER, writeSplitManifest } from './split-manifest';
export { createBatchLoader } from './batch-loader';
export { createClassBalancedLoader } from './class-balanced-loader';
export type { ClassBalancedLoaderOptions } from './class-balanced-loader';
export { writeSyntheticDataset } from './write-synthetic-dataset';
export { inspectDataset } from './inspect-dataset';
export type { DatasetInspection } from './inspect-dataset';
