/**
 * @fracture/train: A training loop for fracture classifiers that can run for hours: callbacks, checkpoints, resume, schedules and the study's presets.
 *
 * @packageDocumentation
 */

export const PACKAGE_NAME = '@fracture/train';
