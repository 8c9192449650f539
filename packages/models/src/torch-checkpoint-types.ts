import type { TensorData } from './state-dict-types';

/** A dict key as unpickled: Python str/int/bool/None, or a tuple. */
export type CheckpointKey = string | number | bigint | boolean | null | readonly CheckpointValue[];

/**
 * Any value a PyTorch checkpoint may hold once read as data:
 * None → `null`, bool, int → `number` (`bigint` beyond ±2^53), float → `number`, str → `string`,
 * bytes → `Uint8Array`, tensor or `nn.Parameter` → {@link TensorData}, list → array,
 * tuple → frozen array, dict / OrderedDict → `Map`.
 */
export type CheckpointValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | TensorData
  | readonly CheckpointValue[]
  | Map<CheckpointKey, CheckpointValue>;

/** Options of `readTorchCheckpoint` / `readTorchCheckpointObject`. */
export interface ReadTorchCheckpointOptions {
  /**
   * Check each zip entry against its recorded CRC-32, so a corrupted download fails loudly
   * instead of loading wrong weights. Costs roughly 0.1 s per 50 MB. Default true.
   */
  verifyChecksums?: boolean;
}
