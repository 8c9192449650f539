import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { float32ToFloat16Bits, quantizeWeightsToFloat16 } from './float16-weights';

describe('float32ToFloat16Bits', () => {
  test('known encodings', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(0.1)).toBe(0x2e66);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(float32ToFloat16Bits(2 ** -26)).toBe(0x0000); // underflows to zero
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(float32ToFloat16Bits(Infinity)).toBe(0x7c00);
    expect(float32ToFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
  });

  test('ties round to even', () => {
    // 1 + 2^-11 lies halfway between 1 (even mantissa) and 1 + 2^-10: rounds down; 1 + 3 * 2^-11 rounds up to even.
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });
});

describe('quantizeWeightsToFloat16', () => {
  test("tfjs's own loader dequantizes the result to the nearest float16 of each value", () => {
    const a = Float32Array.from([0.1, -3.14159, 1e-5, 1234.5]);
    const b = Int32Array.from([7, -9]);
    const data = new Uint8Array(24);
    data.set(new Uint8Array(a.buffer), 0);
    data.set(new Uint8Array(b.buffer), 16);
    const specs: tf.io.WeightsManifestEntry[] = [
      { name: 'a', shape: [2, 2], dtype: 'float32' },
      { name: 'b', shape: [2], dtype: 'int32' },
    ];
    const { specs: quantized, weightData } = quantizeWeightsToFloat16(specs, data.buffer);
    expect(weightData.byteLength).toBe(8 + 8);
    expect(quantized[0].quantization).toEqual({ dtype: 'float16' });
    expect(quantized[1].quantization).toBeUndefined();
    const before = tf.memory().numTensors;
    const decoded = tf.io.decodeWeights(weightData, quantized);
    const values = Array.from(decoded.a.dataSync());
    // float16 has 11 significant bits: relative error at most 2^-11 in the normal range.
    values.forEach((v, i) => expect(Math.abs(v - a[i])).toBeLessThanOrEqual(Math.abs(a[i]) * 2 ** -11 + 2 ** -25));
    // Between 1024 and 2048 float16 steps by 1: 1234.5 is a tie and rounds to the even 1234.
    expect(values[3]).toBe(1234);
    expect(Array.from(decoded.b.dataSync())).toEqual([7, -9]);
    tf.dispose(Object.values(decoded));
    expect(tf.memory().numTensors).toBe(before);
  });

  test('out-of-range values and mismatched data name the weight', () => {
    const big = Float32Array.from([70000]);
    expect(() => quantizeWeightsToFloat16([{ name: 'w', shape: [1], dtype: 'float32' }], big.buffer)).toThrow(
      "quantizeWeightsToFloat16: weight 'w' has 70000 at 0, beyond float16's range",
    );
    expect(() => quantizeWeightsToFloat16([{ name: 'w', shape: [2], dtype: 'float32' }], new ArrayBuffer(4))).toThrow("weight data ends before 'w'");
    expect(() => quantizeWeightsToFloat16([{ name: 'w', shape: [1], dtype: 'float32' }], new ArrayBuffer(8))).toThrow('4 bytes of weight data are not described');
  });
});
