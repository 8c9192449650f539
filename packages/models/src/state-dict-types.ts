/**
 * Element types a weight file can hold, named like PyTorch dtypes.
 * `float16`, `bfloat16` and `float64` record the dtype in the file; their values are
 * decoded to `Float32Array` so every float tensor can feed tfjs directly.
 */
export type TensorDType =
  | 'float64'
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

/**
 * Values of one tensor, row-major (C order), `product(shape)` elements:
 * - every float dtype → `Float32Array` (F64 is rounded to float32; F16/BF16 are exact);
 * - `int64` → `BigInt64Array` (exact; convert with `Number()` when you know it is small,
 *   e.g. BatchNorm's `num_batches_tracked`);
 * - `int32` → `Int32Array`, `int16` → `Int16Array`, `int8` → `Int8Array`;
 * - `uint8` and `bool` → `Uint8Array` (bool as 0 / 1).
 */
export type TensorValues =
  | Float32Array
  | Int32Array
  | BigInt64Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/** One named tensor of a state dict, decoded from a weight file. */
export interface TensorData {
  /** dtype as stored in the file (before decoding). */
  dtype: TensorDType;
  /** PyTorch shape, e.g. `[out, in, kh, kw]` for a conv weight; `[]` for a scalar. */
  shape: number[];
  /** Row-major values; see {@link TensorValues} for which array each dtype gives. */
  data: TensorValues;
}

/** Parameter and buffer name (PyTorch `state_dict()` key, e.g. `layer1.0.conv1.weight`) → tensor. */
export type StateDict = Record<string, TensorData>;
