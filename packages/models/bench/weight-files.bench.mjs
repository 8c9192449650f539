// Throughput of the weight-file readers and writers on a ResNet18-sized state dict
// (11.7M parameters), built in memory. Run with `npm run bench` (builds dist first).
import { performance } from 'node:perf_hooks';
import { readSafetensors, writeSafetensors } from '../dist/index.js';

const PARAMETERS = 11_689_512; // torchvision resnet18
const REPEATS = 3;

function stateDictOf(dtype) {
  // 64 tensors of equal size: the per-tensor overhead matters as much as the bytes
  const perTensor = Math.floor(PARAMETERS / 64);
  const stateDict = {};
  let seed = 1;
  for (let t = 0; t < 64; t++) {
    const data = new Float32Array(perTensor);
    for (let i = 0; i < perTensor; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      data[i] = (seed / 2 ** 32 - 0.5) * 0.2;
    }
    stateDict[`layer${t}.weight`] = { dtype, shape: [perTensor], data };
  }
  return stateDict;
}

function best(fn) {
  let fastest = Infinity;
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    fn();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

for (const dtype of ['float32', 'float16', 'bfloat16']) {
  const stateDict = stateDictOf(dtype);
  let bytes;
  const writeMs = best(() => {
    bytes = writeSafetensors(stateDict);
  });
  const readMs = best(() => readSafetensors(bytes));
  const mb = bytes.length / 2 ** 20;
  console.log(
    `${dtype.padEnd(8)} ${mb.toFixed(1).padStart(6)} MiB  write ${writeMs.toFixed(0).padStart(5)} ms (${(mb / (writeMs / 1000)).toFixed(0)} MiB/s)` +
      `  read ${readMs.toFixed(0).padStart(5)} ms (${(mb / (readMs / 1000)).toFixed(0)} MiB/s)`,
  );
}
