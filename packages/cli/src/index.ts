/**
 * @fracture/cli: The `fracture` command: demo, data inspection, training, evaluation, prediction, explanation, ensembles, the paper reproduction and a local web service.
 *
 * @packageDocumentation
 */

export const PACKAGE_NAME = '@fracture/cli';
