import type { Rng, RngState } from './types';

/**
 * A small, fast, seedable generator (sfc32) whose whole state is four 32-bit
 * words, so a training run can checkpoint it and resume the exact sequence.
 */
class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(state: RngState) {
    [this.a, this.b, this.c, this.d] = state.words;
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low));
  }

  normal(): number {
    // Box-Muller; 1 - next() keeps log's argument in (0, 1].
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  state(): RngState {
    return { words: [this.a, this.b, this.c, this.d] };
  }

  fork(): Rng {
    return createRng(this.nextUint32());
  }
}

/** Creates a seeded generator; the same seed always yields the same sequence. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) {
    throw new Error(`createRng: expected a finite numeric seed, got ${seed}`);
  }
  const s = seed >>> 0;
  const rng = new Sfc32({ words: [0x9e3779b9, 0x243f6a88, 0xb7e15162, s] });
  // Discard the first outputs so that nearby seeds decorrelate.
  for (let i = 0; i < 15; i++) rng.nextUint32();
  return rng;
}

/** Recreates a generator from `rng.state()`, continuing exactly where it stopped. */
export function restoreRng(state: RngState): Rng {
  if (!state || !Array.isArray(state.words) || state.words.length !== 4) {
    throw new Error('restoreRng: expected a state of four 32-bit words, as returned by rng.state()');
  }
  return new Sfc32({ words: state.words.map((w) => w | 0) as [number, number, number, number] });
}

/** Accepts either a seed or a generator, as every random operation does. */
export function toRng(seedOrRng: number | Rng | undefined, fallbackSeed = 0): Rng {
  if (seedOrRng === undefined) return createRng(fallbackSeed);
  return typeof seedOrRng === 'number' ? createRng(seedOrRng) : seedOrRng;
}
