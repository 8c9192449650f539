import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { gradCam, gradCamPlusPlus } from './grad-cam';
import { defaultTargetLayer, resolveTargetLayer } from './target-layer';
import { loadModelsApi, type ModelsApi } from './testing/models-api';
import { pythonUnavailable, REFERENCE_PYTHON } from './testing/python';

/**
 * Parity with PyTorch: the same seeded torchvision weights in both
 * frameworks, Grad-CAM computed by scripts/make-gradcam-reference.py with
 * plain autograd hooks on the registry's default layers. Generated at test time into a
 * cache directory keyed by the hash of the script and of the module it
 * imports (tools/torch-reference/fracture_torch.py).
 */
const SCRIPT = join(__dirname, '..', 'scripts', 'make-gradcam-reference.py');
// The models and writers the script imports: part of the cache key, so editing them regenerates the reference.
const SHARED = join(__dirname, '..', '..', '..', 'tools', 'torch-reference', 'fracture_torch.py');
const CASES = ['resnet18', 'mobilenetv2', 'efficientnet-b3'] as const;


const models = loadModelsApi();
const missingPython = pythonUnavailable(['torch', 'torchvision', 'cv2', 'numpy']);
const skipReason = typeof models === 'string' ? models : missingPython;
if (skipReason !== null) console.warn(`grad-cam parity tests skipped: ${skipReason}`);
const describeParity = skipReason === null ? describe : describe.skip;

interface CaseMeta {
  layer: string;
  classes: number[];
  inputShape: [number, number, number, number];
  rawShape: [number, number, number];
  plusPlusPoleDistance: number;
}

function referenceDir(): string {
  const hash = createHash('sha256').update(readFileSync(SCRIPT)).update(readFileSync(SHARED)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `fracture-explain-gradcam-${hash}`);
  if (!existsSync(join(dir, 'meta.json'))) {
    const run = spawnSync(REFERENCE_PYTHON, [SCRIPT, dir], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`make-gradcam-reference.py failed: ${run.stderr}`);
  }
  return dir;
}

const readF32 = (path: string) => {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

describeParity('Grad-CAM parity with PyTorch (torchvision weights, autograd hooks)', () => {
  let dir: string;
  let meta: Record<string, CaseMeta>;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = referenceDir();
    meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Record<string, CaseMeta>;
  }, 300_000);

  test.each(CASES)(
    '%s: Grad-CAM (raw and upsampled) and Grad-CAM++ equal PyTorch within 1e-4 at the registry layer',
    async (name) => {
      const api = models as ModelsApi;
      const m = meta[name]!;
      const [n, size] = m.inputShape;
      const model = api.createModel(name, { inputSize: size, numClasses: 2 });
      const loaded = api.loadStateDict(model, api.readSafetensors(readFileSync(join(dir, `${name}.safetensors`))), {
        source: 'torchvision',
        strict: true,
      });
      expect(loaded.missing).toEqual([]);
      // The registry names a torchvision container; PyTorch hooked that container, the default resolves to its output.
      expect(m.layer).toBe(api.getModelSpec(name).gradCamLayer);
      const target = defaultTargetLayer(model);
      expect(resolveTargetLayer(model, m.layer, 'test')).toBe(target);

      const x = tf.tensor4d(readF32(join(dir, `${name}-input.bin`)), m.inputShape);
      const before = tf.memory().numTensors;
      const results = await gradCam(model, x, { classIndex: m.classes });
      const plusPlus = await gradCamPlusPlus(model, x, { classIndex: m.classes });
      expect(tf.memory().numTensors).toBe(before);

      const logits = readF32(join(dir, `${name}-logits.bin`));
      const raw = readF32(join(dir, `${name}-cam-raw.bin`));
      const rawPlusPlus = readF32(join(dir, `${name}-campp-raw.bin`));
      const cam = readF32(join(dir, `${name}-cam.bin`));
      const [, h, w] = m.rawShape;
      for (let i = 0; i < n; i++) {
        const r = results[i]!;
        expect(r.layer).toBe(target.name);
        const refScore = logits[i * 2 + m.classes[i]!]!;
        expect(Math.abs(r.score - refScore) / Math.max(1, Math.abs(refScore))).toBeLessThan(1e-4);
        expect([r.raw.height, r.raw.width]).toEqual([h, w]);
        const refRaw = raw.subarray(i * h * w, (i + 1) * h * w);
        const scale = Math.max(...refRaw);
        expect(scale).toBeGreaterThan(0);
        // Raw maps relative to their peak (their units depend on the network), normalised maps absolute.
        for (let p = 0; p < h * w; p++) expect(Math.abs(r.raw.data[p]! - refRaw[p]!) / scale).toBeLessThan(1e-4);
        // Grad-CAM++'s alpha = g^2 / (2 g^2 + sum(A) g^3) has a pole at 2 + sum(A) g = 0, near which float32
        // rounding of the gradient is amplified without bound: a 1e-4 comparison is only meaningful away from it.
        expect(m.plusPlusPoleDistance).toBeGreaterThan(0.5);
        const refPlusPlus = rawPlusPlus.subarray(i * h * w, (i + 1) * h * w);
        const scalePlusPlus = Math.max(...refPlusPlus);
        for (let p = 0; p < h * w; p++) {
          expect(Math.abs(plusPlus[i]!.raw.data[p]! - refPlusPlus[p]!) / scalePlusPlus).toBeLessThan(1e-4);
        }
        const refCam = cam.subarray(i * size * size, (i + 1) * size * size);
        let worst = 0;
        for (let p = 0; p < size * size; p++) worst = Math.max(worst, Math.abs(r.heatmap.data[p]! - refCam[p]!));
        expect(worst).toBeLessThan(1e-4);
      }
      x.dispose();
      model.dispose();
    },
    120_000,
  );
});
