import * as preprocess from '@fracture/preprocess';
import type { TrainRng, TrainRngState } from './types';

interface RngFactory {
  createRng(seed: number): TrainRng;
  restoreRng(state: TrainRngState): TrainRng;
}

// Read structurally so this package type-checks against any build of @fracture/preprocess that has these two.
const factory = preprocess as unknown as Partial<RngFactory>;

/** The trainer's default generator: @fracture/preprocess's sfc32, created from a seed or restored from a checkpoint. */
export function defaultRng(seedOrState: number | TrainRngState): TrainRng {
  if (typeof factory.createRng !== 'function' || typeof factory.restoreRng !== 'function') {
    throw new Error('train: @fracture/preprocess does not provide createRng/restoreRng; pass options.createRng');
  }
  return typeof seedOrState === 'number' ? factory.createRng(seedOrState) : factory.restoreRng(seedOrState);
}
