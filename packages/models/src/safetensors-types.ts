import type { TensorDType } from './state-dict-types';

/** dtype codes of the safetensors format that this package reads and writes. */
export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** One tensor's entry in a safetensors header, after validation. */
export interface SafetensorsTensorInfo {
  dtype: TensorDType;
  shape: number[];
  /** `[begin, end)` byte range inside the data buffer that follows the header. */
  dataOffsets: [number, number];
}

/** A validated safetensors header. */
export interface SafetensorsHeader {
  tensors: Record<string, SafetensorsTensorInfo>;
  /** The optional `__metadata__` string map (`{}` when absent). */
  metadata: Record<string, string>;
  /** Byte offset in the file where the data buffer starts (8 + header length). */
  dataStart: number;
}

export interface WriteSafetensorsOptions {
  /** Stored as `__metadata__`; safetensors allows string values only. */
  metadata?: Record<string, string>;
}
