/**
 * @fracture/preprocess for Node: the whole package, i.e. the portable entry plus the parts that read or write
 * files: dataset scanning and inspection, split manifests on disk, the streaming batch loader and synthetic
 * datasets written to a folder. Node resolves `@fracture/preprocess` here through the `node` export condition;
 * `@fracture/preprocess/node` names it explicitly.
 *
 * @packageDocumentation
 */

export * from './index';
export { scanImageFolder } from './scan-image-folder';
export { formatSplitManifest, parseSplitManifest, readSplitManifest, SPLIT_MANIFEST_HEADER, writeSplitManifest } from './split-manifest';
export { createBatchLoader } from './batch-loader';
export { writeSyntheticDataset } from './write-synthetic-dataset';
export { inspectDataset } from './inspect-dataset';
export type { DatasetInspection } from './inspect-dataset';
