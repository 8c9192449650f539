import type { io } from '@tensorflow/tfjs-core';

/**
 * Re-encodes the float32 weights of a tfjs `model.json` + `weights.bin` as IEEE float16 (round to nearest even),
 * marking each with `quantization: { dtype: 'float16' }` so that any tfjs loader dequantizes them back to
 * float32. Halves the download; int32 weights are kept as they are. Values beyond float16's range (±65504)
 * would become infinite, so they are refused with the weight's name.
 */
export function quantizeWeightsToFloat16(
  specs: readonly io.WeightsManifestEntry[],
  weightData: ArrayBuffer,
): { specs: io.WeightsManifestEntry[]; weightData: ArrayBuffer } {
  const fn = 'quantizeWeightsToFloat16';
  const chunks: Uint8Array[] = [];
  const out: io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    if (spec.quantization) throw new Error(`${fn}: weight '${spec.name}' is already quantized (${spec.quantization.dtype})`);
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = count * 4;
    if (offset + bytes > weightData.byteLength) throw new Error(`${fn}: weight data ends before '${spec.name}'`);
    if (spec.dtype === 'float32') {
      const values = new Float32Array(weightData.slice(offset, offset + bytes));
      const halves = new Uint16Array(count);
      for (let i = 0; i < count; i++) {
        if (Math.abs(values[i]) > 65504) throw new Error(`${fn}: weight '${spec.name}' has ${values[i]} at ${i}, beyond float16's range`);
        halves[i] = float32ToFloat16Bits(values[i]);
      }
      chunks.push(new Uint8Array(halves.buffer));
      out.push({ ...spec, quantization: { dtype: 'float16' } });
    } else {
      chunks.push(new Uint8Array(weightData.slice(offset, offset + bytes)));
      out.push({ ...spec });
    }
    offset += bytes;
  }
  if (offset !== weightData.byteLength) throw new Error(`${fn}: ${weightData.byteLength - offset} bytes of weight data are not described by the specs`);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.length;
  }
  return { specs: out, weightData: joined.buffer };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The IEEE 754 half-precision bits of a number, rounded to nearest, ties to even. */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal half: the implicit bit joins the mantissa, shifted into place with rounding.
    const full = mantissa | 0x800000;
    const shift = 14 - e;
    let half = full >>> shift;
    const remainder = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}
