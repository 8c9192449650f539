import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTorchCheckpoint } from './torch-checkpoint';

// A live check against PyTorch itself: Debian's /usr/bin/python3 with torch + torchvision writes
// a fresh torchvision MobileNetV2 checkpoint. Skipped (with a note) where they are absent; the
// committed fixtures in torch-checkpoint.test.ts still cover the format there.
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.warn(`torch-checkpoint-torchvision.test.ts skipped: ${PYTHON} with torch and torchvision not found`);
const describeWithTorch = hasTorch ? describe : describe.skip;

interface Summary {
  dtype: string;
  shape: number[];
  bitSum?: string;
  weightedSum?: string;
  values?: string[];
}

describeWithTorch('readTorchCheckpoint on a torchvision checkpoint written by PyTorch', () => {
  let dir: string;
  let summary: Record<string, Summary>;
  let bytes: Uint8Array;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fracture-torchvision-'));
    const script = join(__dirname, '..', 'scripts', 'torchvision-checkpoint.py');
    const result = spawnSync(PYTHON, [script, join(dir, 'mobilenet_v2.pth'), join(dir, 'summary.json')], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`torchvision-checkpoint.py failed: ${result.stderr}`);
    summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    bytes = readFileSync(join(dir, 'mobilenet_v2.pth'));
  }, 240_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every tensor matches PyTorch exactly (keys in order, dtypes, shapes, bit checksums)', () => {
    const stateDict = readTorchCheckpoint(bytes);
    expect(Object.keys(stateDict)).toEqual(Object.keys(summary));
    for (const [name, expected] of Object.entries(summary)) {
      const tensor = stateDict[name];
      expect({ name, dtype: tensor.dtype, shape: tensor.shape }).toEqual({ name, dtype: expected.dtype, shape: expected.shape });
      if (expected.bitSum !== undefined) {
        const bits = new Int32Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.length);
        let bitSum = 0;
        let weightedSum = 0;
        for (let i = 0; i < bits.length; i++) {
          bitSum += bits[i];
          weightedSum += bits[i] * ((i % 3) + 1);
        }
        expect({ name, bitSum: String(bitSum), weightedSum: String(weightedSum) }).toEqual({
          name,
          bitSum: expected.bitSum,
          weightedSum: expected.weightedSum,
        });
      } else {
        expect({ name, values: Array.from(tensor.data as BigInt64Array, String) }).toEqual({ name, values: expected.values });
      }
    }
    expect(stateDict['features.1.conv.0.1.num_batches_tracked'].data).toEqual(new BigInt64Array([1n]));
  });
});
