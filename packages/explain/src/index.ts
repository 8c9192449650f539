/**
 * @fracture/explain: Grad-CAM, Grad-CAM++ and occlusion sensitivity for every model, with heatmap overlays a clinician can read.
 *
 * @packageDocumentation
 */

export const PACKAGE_NAME = '@fracture/explain';
