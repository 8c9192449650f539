/**
 * @fracture/preprocess: Decode X-rays (PNG, JPEG, DICOM), resize, normalise, augment, enhance contrast, scan datasets and split them without leakage.
 *
 * @packageDocumentation
 */

export const PACKAGE_NAME = '@fracture/preprocess';
