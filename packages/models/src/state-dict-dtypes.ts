import type { TensorDType, TensorValues } from './state-dict-types';

/** Bytes per element of each dtype as stored in a weight file. */
export const DTYPE_BYTE_SIZE: Readonly<Record<TensorDType, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let float16Table: Uint32Array | undefined;

/**
 * float32 bit patterns for all 65536 float16 values. Built from bits (not arithmetic on
 * JS numbers) so NaN payloads survive: V8 may canonicalise NaNs that pass through a number.
 */
function getFloat16Table(): Uint32Array {
  if (float16Table) return float16Table;
  const table = new Uint32Array(65536);
  const scratch = new Float32Array(1);
  const scratchBits = new Uint32Array(scratch.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0x1f) {
      table[h] = sign | 0x7f800000 | (mantissa << 13);
    } else if (exponent === 0) {
      // subnormal (or zero): mantissa × 2^-24 is exact in float32
      scratch[0] = mantissa * 2 ** -24;
      table[h] = sign | scratchBits[0];
    } else {
      table[h] = sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
    }
  }
  float16Table = table;
  return table;
}

/** Exact float16 → float32 conversion of raw half bit patterns. */
export function float16BitsToFloat32(halves: Uint16Array): Float32Array {
  const table = getFloat16Table();
  const out = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = table[halves[i]];
  return new Float32Array(out.buffer);
}

/** Exact bfloat16 → float32 conversion: a bfloat16 is the upper half of a float32. */
export function bfloat16BitsToFloat32(halves: Uint16Array): Float32Array {
  const out = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = halves[i] << 16;
  return new Float32Array(out.buffer);
}

/** float32 → float16 bits with round-to-nearest-even, as PyTorch's `.half()` does. */
export function float32ToFloat16Bits(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i];
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    let mantissa = x & 0x7fffff;
    if (exponent === 0xff) {
      // keep NaN a NaN even when its payload lives only in the low bits
      out[i] = sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
      continue;
    }
    const halfExponent = exponent - 127 + 15;
    if (halfExponent >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (halfExponent <= 0) {
      if (halfExponent < -10) {
        out[i] = sign; // below half the smallest subnormal: rounds to zero
        continue;
      }
      mantissa |= 0x800000;
      const shift = 14 - halfExponent;
      let half = mantissa >>> shift;
      const remainder = mantissa & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (halfExponent << 10) | (mantissa >>> 13);
    const remainder = mantissa & 0x1fff;
    // a carry out of the mantissa correctly bumps the exponent (up to infinity)
    if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half++;
    out[i] = sign | half;
  }
  return out;
}

/** float32 → bfloat16 bits with round-to-nearest-even, as PyTorch's `.bfloat16()` does. */
export function float32ToBfloat16Bits(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i];
    if ((x & 0x7fffffff) > 0x7f800000) {
      out[i] = (x >>> 16) | 0x40; // quiet NaN, never rounded into infinity
      continue;
    }
    const rounding = 0x7fff + ((x >>> 16) & 1);
    out[i] = ((x + rounding) >>> 16) & 0xffff;
  }
  return out;
}

/** Copies `count × size` little-endian bytes into a fresh, aligned buffer in host order. */
function copyElementBytes(bytes: Uint8Array, offset: number, count: number, size: number): ArrayBuffer {
  // new Uint8Array(view) copies; Node's Buffer#slice would return a view of the whole file
  const copy = new Uint8Array(bytes.subarray(offset, offset + count * size));
  if (!HOST_IS_LITTLE_ENDIAN && size > 1) {
    for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
  }
  return copy.buffer;
}

/**
 * Decodes `count` little-endian elements of `dtype` starting at `bytes[offset]` into the
 * array type {@link TensorValues} promises for that dtype. Always copies, so the result never
 * aliases (or pins) the file buffer.
 */
export function decodeTensorBytes(
  bytes: Uint8Array,
  offset: number,
  dtype: TensorDType,
  count: number,
): TensorValues {
  const buffer = copyElementBytes(bytes, offset, count, DTYPE_BYTE_SIZE[dtype]);
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer);
    case 'float64':
      return Float32Array.from(new Float64Array(buffer));
    case 'float16':
      return float16BitsToFloat32(new Uint16Array(buffer));
    case 'bfloat16':
      return bfloat16BitsToFloat32(new Uint16Array(buffer));
    case 'int64':
      return new BigInt64Array(buffer);
    case 'int32':
      return new Int32Array(buffer);
    case 'int16':
      return new Int16Array(buffer);
    case 'int8':
      return new Int8Array(buffer);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer);
  }
}

const INTEGER_ARRAY_FOR: Record<Exclude<TensorDType, 'float64' | 'float32' | 'float16' | 'bfloat16'>, string> = {
  int64: 'BigInt64Array',
  int32: 'Int32Array',
  int16: 'Int16Array',
  int8: 'Int8Array',
  uint8: 'Uint8Array',
  bool: 'Uint8Array',
};

/**
 * Little-endian file bytes of `values` stored as `dtype`. Floats are re-encoded with
 * round-to-nearest-even; integers must already be in their dtype's array (no silent wrapping),
 * except that `int64` also accepts an `Int32Array`, which widens exactly.
 */
export function encodeTensorBytes(values: TensorValues, dtype: TensorDType, context: string): Uint8Array {
  let encoded: ArrayBufferView;
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16') {
    if (!(values instanceof Float32Array)) {
      throw new Error(`${context}: dtype '${dtype}' needs data of type Float32Array, got ${values.constructor.name}`);
    }
    if (dtype === 'float32') encoded = values;
    else if (dtype === 'float64') encoded = Float64Array.from(values);
    else if (dtype === 'float16') encoded = float32ToFloat16Bits(values);
    else encoded = float32ToBfloat16Bits(values);
  } else if (dtype === 'int64' && values instanceof Int32Array) {
    encoded = BigInt64Array.from(values, (v) => BigInt(v));
  } else {
    const expected = INTEGER_ARRAY_FOR[dtype];
    if (values.constructor.name !== expected) {
      throw new Error(`${context}: dtype '${dtype}' needs data of type ${expected}, got ${values.constructor.name}`);
    }
    encoded = values;
  }
  const out = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength).slice();
  const size = DTYPE_BYTE_SIZE[dtype];
  if (!HOST_IS_LITTLE_ENDIAN && size > 1) {
    for (let i = 0; i < out.length; i += size) out.subarray(i, i + size).reverse();
  }
  return out;
}
