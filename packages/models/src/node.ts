/**
 * @fracture/models for Node: the whole package, i.e. the portable entry plus saving and loading model folders on
 * disk (`saveModel`, `loadModel`, `fileSystemIO`). Node resolves `@fracture/models` here through the `node` export
 * condition; `@fracture/models/node` names it explicitly.
 *
 * @packageDocumentation
 */

export * from './index';
export { fileSystemIO } from './file-io-handler';
export type { FileSystemIOOptions, LoadModelOptions, SaveModelOptions } from './file-io-handler-types';
export { saveModel } from './save-model';
export { loadModel } from './load-model';
