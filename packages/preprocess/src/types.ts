/** The full state of a seeded generator: four 32-bit words. Serialisable as JSON. */
export interface RngState {
  words: [number, number, number, number];
}

/** A seeded pseudo-random generator. Every random operation in @fracture accepts one (or a seed). */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number;
  /** Integer uniform in [low, high). */
  int(low: number, high: number): number;
  /** Standard normal. */
  normal(): number;
  /** A snapshot to checkpoint; `restoreRng(state)` continues the same sequence. */
  state(): RngState;
  /** An independent generator seeded from this one. */
  fork(): Rng;
}

/** Decoded pixels; defined beside the other image types. */
export type { DecodedImage } from './image-types';
