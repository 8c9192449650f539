/*
 * `npm run bench:xray -- [--image=<radiograph>] [--weights=<safetensors>]`: the ImageNet MobileNetV2 features of a
 * real X-ray from ../shared/data, computed by our createMobileNetV2 and by torchvision (bench/xray_features.py) on
 * the same preprocessed input; prints the largest difference. Needs ../shared, so it is a script, not a test.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { createMobileNetV2, loadStateDict, readSafetensors } from '../src/index';

function option(name: string, fallback: string): string {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
}

function floats(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

const shared = resolve(process.cwd(), '..', '..', '..', 'shared');
const weights = option('weights', join(shared, 'weights', 'mobilenet_v2-imagenet-features.safetensors'));
const folder = join(shared, 'data', 'fracture-xray', 'val', 'fractured');
const image = option('image', join(folder, readdirSync(folder).sort()[0] ?? ''));
const out = mkdtempSync(join(tmpdir(), 'fracture-xray-'));
const torch = spawnSync('/usr/bin/python3', [join(process.cwd(), 'bench', 'xray_features.py'), weights, image, out], { encoding: 'utf8' });
if (torch.status !== 0) throw new Error(`bench:xray: PyTorch side failed:\n${torch.stderr}`);
console.log(`image: ${image}\nweights: ${weights}\nPyTorch load_state_dict(strict=False): ${torch.stdout.trim()}`);

await tf.setBackend('cpu');
const model = createMobileNetV2();
const report = loadStateDict(model, readSafetensors(readFileSync(weights)), { strict: false });
console.log(`loadStateDict: loaded ${report.loaded.length}, missing ${JSON.stringify(report.missing)}, unexpected ${JSON.stringify(report.unexpected)}, mismatched ${report.mismatched.length}`);
const probe = tfl.model({ inputs: model.inputs, outputs: model.getLayer('avgpool').output as tfl.SymbolicTensor });
const x = tf.tensor(floats(join(out, 'xray-input.bin')), [1, 224, 224, 3]);
const ours = (probe.predict(x) as tf.Tensor).dataSync();
const reference = floats(join(out, 'xray-features.bin'));
let maxDiff = 0;
let maxRef = 0;
for (let i = 0; i < reference.length; i += 1) {
  maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - reference[i]!));
  maxRef = Math.max(maxRef, Math.abs(reference[i]!));
}
console.log(`features: ${reference.length} values, max |torch| ${maxRef.toFixed(4)}, max |ours - torch| ${maxDiff.toExponential(2)} ${maxDiff < 1e-4 ? '(within 1e-4)' : '(EXCEEDS 1e-4)'}`);
