/*
 * Kernel-time profile of one training step on wasm: `npm run profile -w @fracture/backend -- [model] [size] [batch] [--threads=n]`.
 * Model is `mixed` (the test network) or one of @fracture/models' names when that package is built.
 * `--winograd=never` (or `always`) overrides the rule that picks Winograd convolutions, to compare the two paths;
 * `--winograd-dw=never|always|measured` overrides it for the filter gradient alone; `--patch-dw=never` sends the
 * strided filter gradients back to the column path; `--by-shape` adds the time per kernel and input shapes (which layer).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, selectBackend } from '../src/index';
import { setPatchFilterGradientEnabled } from '../src/kernels/patch-filter-gradient';
import { setWinogradFilterGradientPolicy, setWinogradPolicy, type WinogradPolicy } from '../src/kernels/winograd-choice';
import { createMixedModel, crossEntropy } from '../src/testing/mixed-model';
import { loadModelFactory } from './model-factory';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const threadsArg = args.find((a) => a.startsWith('--threads='));
  const winogradArg = args.find((a) => a.startsWith('--winograd='))?.slice('--winograd='.length);
  if (winogradArg != null) {
    if (!['measured', 'always', 'never'].includes(winogradArg)) throw new Error(`profile-step: --winograd must be measured, always or never`);
    setWinogradPolicy(winogradArg as WinogradPolicy);
  }
  const filterGradientArg = args.find((a) => a.startsWith('--winograd-dw='))?.slice('--winograd-dw='.length);
  if (filterGradientArg != null) {
    if (!['measured', 'always', 'never'].includes(filterGradientArg)) throw new Error(`profile-step: --winograd-dw must be measured, always or never`);
    setWinogradFilterGradientPolicy(filterGradientArg as WinogradPolicy);
  }
  // The patch-matrix filter gradient off: those convolutions take the column path, as before it.
  if (args.includes('--patch-dw=never')) setPatchFilterGradientEnabled(false);
  const [name = 'mixed', sizeArg = '64', batchArg = '4', native = ''] = args.filter((a) => !a.startsWith('--'));
  const size = Number(sizeArg);
  const batch = Number(batchArg);
  if (native !== 'native') registerWasmTrainingKernels();
  if (threadsArg) {
    const chosen = await selectBackend({ prefer: 'wasm', allowTensorflow: false, env: {}, threads: Number(threadsArg.slice(10)), trainingKernels: native !== 'native' });
    console.log(`wasm: ${chosen.reason}`);
  } else {
    await tf.setBackend('wasm');
  }
  await tf.ready();
  let model: tfl.LayersModel;
  if (name === 'mixed') model = createMixedModel(size);
  else {
    const factory = await loadModelFactory();
    if (!factory) throw new Error('profile-step: @fracture/models is not built');
    model = factory(name, size);
  }
  const channels = model.inputs[0]!.shape[3] as number;
  const xs = tf.randomUniform([batch, size, size, channels]);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 2), 'int32'), 2);
  const optimizer = tf.train.sgd(0.01);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = () =>
    optimizer.minimize(() => crossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor), false, vars);
  step(); // warm-up: operator creation, first-use costs
  const t0 = performance.now();
  step();
  const plain = performance.now() - t0;
  const profile = await tf.profile(() => {
    step();
  });
  const byKernel = new Map<string, { ms: number; count: number }>();
  let total = 0;
  for (const k of profile.kernels) {
    const ms = k.kernelTimeMs as number;
    total += ms;
    const entry = byKernel.get(k.name) ?? { ms: 0, count: 0 };
    entry.ms += ms;
    entry.count++;
    byKernel.set(k.name, entry);
  }
  console.log(`${name} ${size}px batch ${batch}: step ${plain.toFixed(0)} ms (${((batch * 1000) / plain).toFixed(2)} img/s), kernels ${total.toFixed(0)} ms, peak ${(profile.peakBytes / 2 ** 20).toFixed(0)} MiB`);
  for (const [kernel, { ms, count }] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
    console.log(`  ${kernel.padEnd(36)} ${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  x${count}`);
  }
  if (args.includes('--by-shape')) {
    // Where a kernel's time goes by layer: the convolutions differ by shape, stride and path.
    const byShape = new Map<string, { ms: number; count: number }>();
    for (const k of profile.kernels) {
      if (k.name.endsWith('__op') || k.name === 'unnamed scope') continue;
      const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
      const entry = byShape.get(key) ?? { ms: 0, count: 0 };
      entry.ms += k.kernelTimeMs as number;
      entry.count++;
      byShape.set(key, entry);
    }
    console.log('by kernel and input shapes:');
    for (const [key, { ms, count }] of [...byShape].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40)) {
      console.log(`  ${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  x${count}  ${key}`);
    }
  }
  tf.dispose([xs, ys]);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
