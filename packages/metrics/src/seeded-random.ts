import type { RandomSource } from './types';

// Bound once: global lookups are slow inside sandboxes such as jest's vm context, and this runs per draw.
const imul = Math.imul;

// mulberry32: 32 bits of state is plenty for resampling, and keeps this package free of our other packages.
function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) | 0;
      let t = state;
      t = imul(t ^ (t >>> 15), t | 1);
      t ^= t + imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** A seeded source of uniform numbers in [0, 1); a given source is used as is. */
export function toRandomSource(fn: string, seed: number | RandomSource): RandomSource {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new Error(`${fn}: seed must be a finite number, got ${seed}`);
    return mulberry32(seed);
  }
  if (!seed || typeof seed.next !== 'function') throw new Error(`${fn}: seed must be a number or an object with next()`);
  return seed;
}
