import * as tf from '@tensorflow/tfjs-core';
import { describeKernelPaths, onBackend, onBothBackends, randomValues, relativeError } from '../testing/backends';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await onBackend('wasm', () => undefined);
});

/** `op` on fresh inputs of the given shapes on both backends (leak-checked on each). */
function both(shapes: number[][], op: (...xs: tf.Tensor[]) => tf.Tensor, dtype: 'float32' | 'int32' = 'float32') {
  const makeInputs = () =>
    shapes.map((shape, i) => {
      const values = randomValues(tf.util.sizeFromShape(shape), 11 + i);
      return dtype === 'int32' ? tf.tensor(values.map((v) => Math.round(v * 50)), shape, 'int32') : tf.tensor(values, shape);
    });
  return onBothBackends(makeInputs, op);
}

describe('Tile on wasm matches cpu', () => {
  test.each([
    [[1, 1, 1, 5], [2, 3, 4, 1]],
    [[2, 3], [3, 2]],
    [[3, 1, 2], [1, 4, 3]],
    [[4], [5]],
    [[2, 1, 3, 2], [1, 2, 1, 3]],
  ])('x %j reps %j', async (shape, reps) => {
    const { cpu, wasm } = await both([shape], (x) => tf.tile(x, reps));
    expect(wasm.shape).toEqual(cpu.shape);
    expect(wasm.values).toEqual(cpu.values);
  });

  test('int32', async () => {
    const { cpu, wasm } = await both([[2, 3]], (x) => tf.tile(x, [2, 2]), 'int32');
    expect(wasm.values).toEqual(cpu.values);
  });
});

describe('Slice on wasm matches cpu', () => {
  test.each([
    [[2, 8, 8, 3], [0, 1, 1, 0], [2, 6, 6, 3]],
    [[2, 8, 8, 3], [1, 0, 0, 0], [1, 8, 8, 3]],
    [[3, 5, 4, 6], [1, 2, 1, 2], [2, 2, 3, 3]],
    [[7], [2], [4]],
    [[4, 6], [1, 0], [2, -1]],
  ])('x %j begin %j size %j', async (shape, begin, size) => {
    const { cpu, wasm } = await both([shape], (x) => tf.slice(x, begin, size));
    expect(wasm.shape).toEqual(cpu.shape);
    expect(wasm.values).toEqual(cpu.values);
  });
});

describeKernelPaths('Sum and Mean on wasm match cpu', () => {
  test.each([
    [[2, 5, 5, 3], [0, 1, 2], false],
    [[2, 5, 5, 3], [0, 1, 2], true],
    [[4, 6], [0], false],
    [[3, 4, 5], [1, 0], true],
    // a middle block (global average pooling in NHWC)
    [[2, 5, 5, 3], [1, 2], false],
    [[2, 5, 5, 3], [2, 1], true],
    [[2, 3, 4, 5, 6], [1, 2, 3], false],
    // many rows (blocks of 16 and a tail) and a width that is not a multiple of 4
    [[3, 9, 7, 6], [0, 1, 2], false],
    [[2, 37, 5], [1], true],
    // handled by the wasm build's own kernel: everything, the last axis, or axes that are not consecutive
    [[2, 5, 5, 3], [0, 1, 2, 3], false],
    [[2, 5, 5, 3], [2, 3], false],
    [[2, 5, 5, 3], [0, 2], true],
  ] as const)('x %j axes %j keepDims %s', async (shape, axes, keepDims) => {
    const sum = await both([[...shape]], (x) => tf.sum(x, [...axes], keepDims));
    expect(sum.wasm.shape).toEqual(sum.cpu.shape);
    expect(relativeError(sum.wasm.values, sum.cpu.values)).toBeLessThan(1e-6);
    const mean = await both([[...shape]], (x) => tf.mean(x, [...axes], keepDims));
    expect(mean.wasm.shape).toEqual(mean.cpu.shape);
    expect(relativeError(mean.wasm.values, mean.cpu.values)).toBeLessThan(1e-6);
  });

  test('int32 sums keep their dtype', async () => {
    const { cpu, wasm } = await both([[4, 3]], (x) => tf.sum(x, 0), 'int32');
    expect(wasm.values).toEqual(cpu.values);
  });
});

describeKernelPaths('MaxPoolGrad on wasm matches cpu', () => {
  // The gradient of sum(maxPool(x) * w) with distinct weights w, so a misrouted gradient cannot cancel out.
  const maxPoolGrad = (x: tf.Tensor, filter: number, stride: number, pad: 'same' | 'valid' | number) =>
    tf.tidy(() =>
      tf.grad((input: tf.Tensor) => {
        const pooled = tf.maxPool(input as tf.Tensor4D, filter, stride, pad);
        return tf.sum(tf.mul(pooled, tf.reshape(tf.range(1, 1 + pooled.size), pooled.shape)));
      })(x),
    );

  test.each([
    [[2, 9, 9, 3], 3, 2, 'same'],
    [[2, 10, 10, 4], 3, 2, 'valid'],
    [[1, 8, 8, 2], 2, 2, 'valid'],
    [[2, 9, 11, 5], 2, 2, 'valid'],
    [[2, 9, 11, 5], 2, 2, 'same'],
    [[2, 7, 7, 3], 3, 1, 'same'],
    // ResNet18's pool (3x3, stride 2, 'same' on an even size: the bottom and right windows hang over), with a
    // vector of four channels and a tail of three
    [[2, 12, 12, 7], 3, 2, 'same'],
    // padding on every side: the first windows start above and left of the image
    [[1, 10, 9, 6], 3, 2, 1],
    [[1, 6, 6, 8], 2, 2, 'valid'],
  ] as const)('x %j pool %d stride %d %s', async (shape, filter, stride, pad) => {
    const { cpu, wasm } = await both([[...shape]], (x) => maxPoolGrad(x, filter, stride, pad));
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-6);
  });

  test('ties go to the first maximum in the window, as on cpu', async () => {
    // A ReLU output full of zeros: every window is a tie. Six channels: a SIMD vector of four and a tail of two.
    const { cpu, wasm } = await both([[1, 6, 6, 6]], (x) => tf.tidy(() => maxPoolGrad(tf.zerosLike(x), 3, 2, 'same')));
    expect(wasm.values).toEqual(cpu.values);
    expect(cpu.values.some((v) => v !== 0)).toBe(true);
    // The same for the 2x2 / stride-2 path the custom CNN takes.
    const twoByTwo = await both([[2, 6, 8, 5]], (x) => tf.tidy(() => maxPoolGrad(tf.zerosLike(x), 2, 2, 'valid')));
    expect(twoByTwo.wasm.values).toEqual(twoByTwo.cpu.values);
    expect(twoByTwo.cpu.values.some((v) => v !== 0)).toBe(true);
  });
});

describeKernelPaths('Transpose and transposed BatchMatMul on wasm match cpu', () => {
  test.each([
    [[6, 5], [1, 0]],
    [[2, 4, 3, 5], [3, 0, 1, 2]],
    [[2, 4, 3, 5], [0, 3, 1, 2]],
    [[2, 1, 3, 5], [2, 3, 0, 1]],
    // not a batched matrix transpose: the wasm build's own kernel
    [[2, 4, 3, 5], [1, 2, 0, 3]],
    [[3, 40, 37], [0, 2, 1]],
    // SIMD tiles: several 64-column strips, and row and column tails of 1-3
    [[130, 9], [1, 0]],
    [[9, 133], [1, 0]],
    [[2, 4, 4], [0, 2, 1]],
  ])('x %j perm %j', async (shape, perm) => {
    const { cpu, wasm } = await both([shape], (x) => tf.transpose(x, perm));
    expect(wasm.shape).toEqual(cpu.shape);
    expect(wasm.values).toEqual(cpu.values);
    const ints = await both([shape], (x) => tf.transpose(x, perm), 'int32');
    expect(ints.wasm.dtype).toBe('int32');
    expect(ints.wasm.values).toEqual(ints.cpu.values);
  });

  test.each([
    [false, true],
    [true, false],
    [true, true],
  ])('transposeA %s transposeB %s', async (transposeA, transposeB) => {
    const aShape = transposeA ? [2, 7, 5] : [2, 5, 7];
    const bShape = transposeB ? [2, 3, 7] : [2, 7, 3];
    const { cpu, wasm } = await both([aShape, bShape], (a, b) => tf.matMul(a!, b!, transposeA, transposeB));
    expect(wasm.shape).toEqual(cpu.shape);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-5);
  });
});

describe('matrix multiplies with new right-hand operands (training weights) match cpu', () => {
  test('BatchMatMul, first call (operands swapped) and repeated call (cached packing)', async () => {
    const { cpu, wasm } = await both([[1, 2, 7], [1, 7, 9]], (a, b) =>
      tf.tidy(() => tf.add(tf.matMul(a!, b!), tf.matMul(tf.mul(a!, 2), b!))),
    );
    expect(wasm.shape).toEqual([1, 2, 9]);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-5);
  });

  test.each([
    ['relu', false],
    ['linear', false],
    ['relu', true],
    ['sigmoid', false],
  ] as const)('fused matMul with bias, activation %s, transposeB %s', async (activation, transposeB) => {
    const { cpu, wasm } = await both([[3, 7], transposeB ? [9, 7] : [7, 9], [9]], (a, b, bias) =>
      tf.fused.matMul({ a: a!, b: b!, bias, activation, transposeB }),
    );
    expect(wasm.shape).toEqual([3, 9]);
    expect(relativeError(wasm.values, cpu.values)).toBeLessThan(1e-5);
  });
});

test('Identity shares the buffer: a clone outlives its source and frees it when both are gone', async () => {
  await onBackend('wasm', () => {
    const backend = tf.engine().backend;
    const before = backend.numDataIds();
    const x = tf.tensor([1, 2, 3]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
    expect(backend.numDataIds()).toBe(before);
  });
});

test('registerWasmTrainingKernels is idempotent', () => {
  const before = tf.getKernel('Tile', 'wasm');
  registerWasmTrainingKernels();
  registerWasmTrainingKernels();
  expect(tf.getKernel('Tile', 'wasm')).toBe(before);
});
