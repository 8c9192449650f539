/**
 * @fracture/backend: Choose the fastest available TensorFlow.js engine and complete the wasm backend with the gradient kernels training needs.
 *
 * @packageDocumentation
 */

export const PACKAGE_NAME = '@fracture/backend';
