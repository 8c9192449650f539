import { CLASS_NAMES } from './class-names';
import type { FractureBox, SyntheticRadiograph, SyntheticRadiographOptions } from './dataset-types';
import { createRng } from './rng';
import type { Rng } from './types';

const GAMMA_LEVELS = 4096;
const FRACTURED = 0;

/**
 * 65,536 standard normal samples, drawn once: indexing them with one 32-bit draw per pixel is several times
 * faster than Box-Muller, and the repetition is invisible in image noise.
 */
const GAUSSIAN_TABLE: Float32Array = (() => {
  const rng = createRng(0x6a09e667);
  const table = new Float32Array(65536);
  for (let i = 0; i < table.length; i++) table[i] = rng.normal();
  return table;
})();
const NOT_FRACTURED = 1;

/** What one source radiograph looks like: the same in all its variants. */
export interface SyntheticSource {
  fractured: boolean;
  /** Outer radius of the shaft, in pixels. */
  boneRadius: number;
  /** Inner (medullary) radius as a fraction of the outer one; the cortex is the ring between. */
  medullaRatio: number;
  boneLength: number;
  boneDensity: number;
  /** Width of the end flare (epiphysis) relative to the shaft. */
  flare: number;
  tissueRadius: number;
  tissueDensity: number;
  /** Position of the break along the shaft, from the bone's centre. */
  breakOffset: number;
  /** Angle of the break line away from square to the shaft, radians. */
  breakAngle: number;
  breakGap: number;
  /** Sideways shift and angulation of the distal fragment. */
  displacement: number;
  angulation: number;
}

/** How one image of a source was taken: orientation, placement, exposure, noise. */
export interface SyntheticView {
  angle: number;
  centerX: number;
  centerY: number;
  background: number;
  gradient: number;
  gain: number;
  gamma: number;
  noise: number;
}

/**
 * Draws a source radiograph. Sizes scale with the image side so the same seed looks alike at 64 and 256 px.
 * The break is thin but at least 2.5 px wide, and the distal fragment is shifted by 20-50 % of the shaft
 * width, so it survives downscaling to 64 px.
 */
export function sampleSyntheticSource(size: number, fractured: boolean, rng: Rng): SyntheticSource {
  const boneRadius = size * rng.uniform(0.065, 0.1);
  return {
    fractured,
    boneRadius,
    medullaRatio: rng.uniform(0.5, 0.72),
    // Mostly longer than the frame: inside it, a bone end is then a sign of a break rather than anatomy.
    boneLength: size * rng.uniform(1.2, 1.6),
    boneDensity: rng.uniform(0.45, 0.7),
    flare: rng.uniform(0.3, 0.8),
    tissueRadius: boneRadius * rng.uniform(2.4, 3.6),
    tissueDensity: rng.uniform(0.12, 0.25),
    breakOffset: size * rng.uniform(-0.2, 0.2),
    breakAngle: rng.uniform(-0.6, 0.6),
    breakGap: Math.max(2.5, boneRadius * rng.uniform(0.5, 0.8)),
    displacement: 2 * boneRadius * rng.uniform(0.2, 0.5) * (rng.next() < 0.5 ? -1 : 1),
    angulation: rng.uniform(-0.14, 0.14),
  };
}

export function sampleSyntheticView(size: number, rng: Rng): SyntheticView {
  return {
    angle: rng.uniform(0, Math.PI),
    centerX: size * (0.5 + rng.uniform(-0.1, 0.1)),
    centerY: size * (0.5 + rng.uniform(-0.1, 0.1)),
    background: rng.uniform(0.02, 0.12),
    gradient: rng.uniform(-0.08, 0.08),
    gain: rng.uniform(0.75, 1.15),
    gamma: rng.uniform(0.8, 1.25),
    noise: rng.uniform(0.012, 0.035),
  };
}

/**
 * Projected thickness of a hollow cylinder (outer radius r1, inner r0) at distance v from its axis, divided
 * by r1: highest just inside the outer wall, which is why cortices look bright on a radiograph.
 */
function tubeProfile(v: number, outer: number, inner: number): number {
  const v2 = v * v;
  const o = outer * outer - v2;
  if (o <= 0) return 0;
  const i = inner * inner - v2;
  return (Math.sqrt(o) - (i > 0 ? Math.sqrt(i) : 0)) / outer;
}

function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

/** Attenuation of the bone at bone-frame coordinates (u along the shaft, v across), before the break. */
function boneAttenuation(source: SyntheticSource, u: number, v: number): number {
  const half = source.boneLength / 2;
  const along = Math.abs(u) / half;
  if (along > 1.08) return 0;
  // The shaft widens into an epiphysis at each end and fades out as a rounded cap.
  const widen = 1 + source.flare * smoothstep(0.65, 1, along);
  const outer = source.boneRadius * widen;
  const cap = 1 - smoothstep(1, 1.08, along);
  return cap * source.boneDensity * tubeProfile(v, outer, outer * source.medullaRatio);
}

/**
 * Renders one view of a source as 8-bit gray. `withFracture: false` draws the same bone intact with the same
 * noise, which is how the tests check that the break is where `fractureBox` says.
 */
export function renderSyntheticRadiograph(
  size: number,
  source: SyntheticSource,
  view: SyntheticView,
  noiseSeed: number,
  withFracture = source.fractured,
): { data: Uint8Array; fractureBox: FractureBox | null } {
  const data = new Uint8Array(size * size);
  const noiseRng = createRng(noiseSeed);
  const cosA = Math.cos(view.angle);
  const sinA = Math.sin(view.angle);
  const cosB = Math.cos(source.breakAngle);
  const sinB = Math.sin(source.breakAngle);
  const cosT = Math.cos(source.angulation);
  const sinT = Math.sin(source.angulation);
  const halfGap = source.breakGap / 2;
  // A lookup table replaces a Math.pow per pixel; 4,096 levels are finer than the 8-bit output.
  const gammaTable = new Float32Array(GAMMA_LEVELS + 1);
  for (let i = 0; i <= GAMMA_LEVELS; i++) gammaTable[i] = Math.pow(i / GAMMA_LEVELS, 1 / view.gamma);

  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x + 0.5 - view.centerX;
      const dy = y + 0.5 - view.centerY;
      const u = dx * cosA + dy * sinA;
      const v = -dx * sinA + dy * cosA;

      const tissue = source.tissueDensity * tubeProfile(v, source.tissueRadius, 0);
      let bone: number;
      if (withFracture) {
        // Signed distance to the break line through (breakOffset, 0), tilted by breakAngle.
        const side = (u - source.breakOffset) * cosB + v * sinB;
        if (side > 0) {
          // The distal fragment is rotated about the break point and shifted sideways: undo that to sample it.
          const pu = u - source.breakOffset;
          const pv = v - source.displacement;
          bone = boneAttenuation(source, pu * cosT + pv * sinT + source.breakOffset, -pu * sinT + pv * cosT);
        } else {
          bone = boneAttenuation(source, u, v);
        }
        // Partial coverage across the gap edge keeps the line antialiased.
        bone *= Math.min(1, Math.max(0, Math.abs(side) - halfGap + 0.5));
      } else {
        bone = boneAttenuation(source, u, v);
      }

      const ramp = view.gradient * ((x + y) / size - 1);
      let intensity = view.gain * (view.background + ramp + tissue + bone);
      intensity = gammaTable[Math.round(Math.min(1, Math.max(0, intensity)) * GAMMA_LEVELS)];
      intensity += view.noise * GAUSSIAN_TABLE[noiseRng.nextUint32() >>> 16];
      data[y * size + x] = Math.round(Math.min(1, Math.max(0, intensity)) * 255);
    }
  }
  return { data, fractureBox: withFracture ? breakBox(size, source, view) : null };
}

/** Bounding box of the break line across the (possibly widened, displaced) shaft, padded, in image pixels. */
function breakBox(size: number, source: SyntheticSource, view: SyntheticView): FractureBox {
  const reach = source.boneRadius * (1 + source.flare) + Math.abs(source.displacement);
  const pad = source.breakGap + 1;
  const cosA = Math.cos(view.angle);
  const sinA = Math.sin(view.angle);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const sign of [-1, 1]) {
    // Points on the break line: u = offset − s·sinB, v = s·cosB, for |v| up to the bone's reach.
    const s = (sign * reach) / Math.max(0.3, Math.cos(source.breakAngle));
    const u = source.breakOffset - s * Math.sin(source.breakAngle);
    const v = s * Math.cos(source.breakAngle);
    xs.push(view.centerX + u * cosA - v * sinA);
    ys.push(view.centerY + u * sinA + v * cosA);
  }
  const x0 = Math.max(0, Math.floor(Math.min(...xs) - pad));
  const y0 = Math.max(0, Math.floor(Math.min(...ys) - pad));
  const x1 = Math.min(size, Math.ceil(Math.max(...xs) + pad));
  const y1 = Math.min(size, Math.ceil(Math.max(...ys) + pad));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Grayscale radiographs of long bones in soft tissue, with exposure, contrast and noise varying per image;
 * `fractureFraction` of the source radiographs carry a break (a dark line across the shaft, the distal
 * fragment shifted and angulated). Deterministic by seed. With `variantsPerSource > 1`, several images share
 * a `sourceId` (same bone and break, new orientation and exposure), like the rotated copies of the Kaggle set.
 */
export function generateSyntheticRadiographs(options: SyntheticRadiographOptions): SyntheticRadiograph[] {
  const { count, seed } = options ?? ({} as SyntheticRadiographOptions);
  const size = options?.size ?? 128;
  const fractureFraction = options?.fractureFraction ?? 0.5;
  const variantsPerSource = options?.variantsPerSource ?? 1;
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`generateSyntheticRadiographs: count must be a non-negative integer, got ${count}`);
  }
  if (!Number.isInteger(size) || size < 16) {
    throw new Error(`generateSyntheticRadiographs: size must be an integer of at least 16, got ${size}`);
  }
  if (!Number.isFinite(seed)) throw new Error(`generateSyntheticRadiographs: expected a finite seed, got ${seed}`);
  if (!(fractureFraction >= 0 && fractureFraction <= 1)) {
    throw new Error(`generateSyntheticRadiographs: fractureFraction must be in [0, 1], got ${fractureFraction}`);
  }
  if (!Number.isInteger(variantsPerSource) || variantsPerSource < 1) {
    throw new Error(`generateSyntheticRadiographs: variantsPerSource must be a positive integer, got ${variantsPerSource}`);
  }

  const rng = createRng(seed);
  const sourceCount = Math.ceil(count / variantsPerSource);
  // An exact share of fractured sources, in seeded order, keeps small sets balanced.
  const fracturedCount = Math.round(fractureFraction * sourceCount);
  const fracturedFlags = Array.from({ length: sourceCount }, (_, i) => i < fracturedCount);
  for (let i = fracturedFlags.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [fracturedFlags[i], fracturedFlags[j]] = [fracturedFlags[j], fracturedFlags[i]];
  }

  const result: SyntheticRadiograph[] = [];
  for (let s = 0; s < sourceCount; s++) {
    const sourceRng = rng.fork();
    const source = sampleSyntheticSource(size, fracturedFlags[s], sourceRng);
    for (let k = 0; k < variantsPerSource && result.length < count; k++) {
      const viewRng = sourceRng.fork();
      const view = sampleSyntheticView(size, viewRng);
      const { data, fractureBox } = renderSyntheticRadiograph(size, source, view, viewRng.nextUint32());
      const label = source.fractured ? FRACTURED : NOT_FRACTURED;
      result.push({
        image: { data, width: size, height: size, channels: 1, bitDepth: 8 },
        label,
        className: CLASS_NAMES[label],
        fractureBox,
        sourceId: String(s + 1),
      });
    }
  }
  return result;
}
