import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from './safetensors';
import { readTorchCheckpoint } from './torch-checkpoint';
import { readZipEntries } from './zip-reader';

// Corrupted inputs must fail with the reader's own error (or decode), never with a TypeError,
// RangeError or a hang: a deterministic mutation sweep over the pickle, the zip structures and
// the safetensors header of PyTorch-written fixtures.
const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'weights');
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

function createRandom(seed: number) {
  let state = seed >>> 0;
  return (below: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return Math.floor((state / 2 ** 32) * below);
  };
}

function collectForeignErrors(original: Uint8Array, region: [number, number], read: (bytes: Uint8Array) => unknown, prefix: string) {
  const random = createRandom(region[0] + original.length);
  const foreign: string[] = [];
  for (let trial = 0; trial < 400; trial++) {
    const mutated = original.slice();
    const flips = 1 + random(3);
    for (let f = 0; f < flips; f++) mutated[region[0] + random(region[1] - region[0])] = random(256);
    const input = trial % 5 === 0 ? mutated.subarray(0, region[0] + random(region[1] - region[0])) : mutated;
    try {
      read(input);
    } catch (error) {
      const message = `${(error as Error).name}: ${(error as Error).message}`;
      if (!(error as Error).message.startsWith(prefix)) foreign.push(message);
    }
  }
  return foreign;
}

describe('reader robustness against corrupted files', () => {
  test.each(['dtypes.pth', 'nested.pth'])('mutating the pickle of %s only yields readTorchCheckpoint errors', (name) => {
    const file = fixture(name);
    const entries = readZipEntries(file, 'test');
    const pickle = [...entries.values()].find((entry) => entry.name.endsWith('data.pkl'))!.read();
    const start = pickle.byteOffset - file.byteOffset;
    // checksums off, or nearly every mutation would stop at the CRC check before reaching the pickle machine
    const read = (bytes: Uint8Array) => readTorchCheckpoint(bytes, { verifyChecksums: false });
    expect(collectForeignErrors(file, [start, start + pickle.length], read, 'readTorchCheckpoint: ')).toEqual([]);
  });

  test('mutating the zip directory of a checkpoint only yields readTorchCheckpoint errors', () => {
    const file = fixture('module.pth');
    const directoryStart = file.length - 22 - 20 - 56 - 700; // central directory, zip64 records and end record
    expect(collectForeignErrors(file, [directoryStart, file.length], readTorchCheckpoint, 'readTorchCheckpoint: ')).toEqual([]);
  });

  test('mutating a legacy checkpoint only yields readTorchCheckpoint errors', () => {
    const file = fixture('legacy.pth');
    expect(collectForeignErrors(file, [0, file.length], readTorchCheckpoint, 'readTorchCheckpoint: ')).toEqual([]);
  });

  test('mutating a safetensors header only yields readSafetensors errors', () => {
    const file = fixture('mixed.safetensors');
    const headerEnd = 8 + Number(new DataView(file.buffer).getBigUint64(0, true));
    expect(collectForeignErrors(file, [0, headerEnd], readSafetensors, 'readSafetensors: ')).toEqual([]);
  });
});
