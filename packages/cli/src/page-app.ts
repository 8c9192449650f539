/// <reference lib="dom" />
/**
 * The part of `fracture serve`'s page that runs in the browser: it loads the served model into TensorFlow.js
 * (wasm backend, binaries from the same server) and classifies and explains a dropped X-ray in the page, so the
 * image never leaves the device. It prepares the input exactly as `createPredictor` does on the server. Bundled
 * for the browser into dist/web/page-app.js by tsup; the page falls back to `POST /predict` when it cannot run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { decodeImage, normalize, toModelInput } from '@fracture/preprocess';
import type { DecodedImage } from '@fracture/preprocess';
import { registerLayerClasses } from '@fracture/models';
import { gradCam, overlayHeatmap } from '@fracture/explain';
import type { InBrowserPrediction, PageModelInfo } from './page-app-types';

let loading: Promise<{ model: LayersModel; info: PageModelInfo }> | undefined;

async function loadModel(base: string): Promise<{ model: LayersModel; info: PageModelInfo }> {
  setWasmPaths(`${base}/wasm/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  await tf.ready();
  const response = await fetch(`${base}/model/info.json`);
  if (!response.ok) throw new Error(`model info: HTTP ${response.status}`);
  const info = (await response.json()) as PageModelInfo;
  registerLayerClasses();
  return { model: await loadLayersModel(`${base}/model/model.json`), info };
}

function toRgba(image: { data: Uint8Array; width: number; height: number }): ImageData {
  const rgba = new Uint8ClampedArray(image.width * image.height * 4);
  for (let p = 0; p < image.width * image.height; p++) {
    rgba.set(image.data.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = 255;
  }
  return new ImageData(rgba, image.width, image.height);
}

/** Classifies and explains one file's bytes in this page; `base` is the server's origin (for model and wasm). */
export async function predictInBrowser(bytes: Uint8Array, base: string): Promise<InBrowserPrediction> {
  loading ??= loadModel(base);
  const { model, info } = await loading.catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  const image: DecodedImage = decodeImage(bytes);
  const size = info.inputSize;
  const levels = toModelInput(image, { height: size, width: size, channels: info.channels, antialias: true });
  const input = tf.tidy(() => normalize(tf.tensor3d(Float32Array.from(levels, (v) => v / 255), [size, size, info.channels]), info.mean, info.std));
  try {
    const cam = await gradCam(model, input, { layer: info.gradCamLayer });
    const overlay = overlayHeatmap(image, cam.heatmap, { colormap: 'turbo' });
    const canvas = document.createElement('canvas');
    canvas.width = overlay.width;
    canvas.height = overlay.height;
    canvas.getContext('2d')!.putImageData(toRgba(overlay), 0, 0);
    const positive = info.classNames.indexOf(info.positiveClass);
    // A shipped model's operating point decides, as on the server.
    const best = info.threshold !== undefined && info.classNames.length === 2 && positive >= 0 ? (cam.probabilities[positive]! >= info.threshold ? positive : 1 - positive) : cam.predictedClass;
    return {
      predictedClass: info.classNames[best] ?? String(best),
      classIndex: best,
      probability: cam.probabilities[best]!,
      probabilities: Object.fromEntries(cam.probabilities.map((p, k) => [info.classNames[k] ?? String(k), p])),
      overlayUrl: canvas.toDataURL('image/png'),
      backend: tf.getBackend(),
    };
  } finally {
    input.dispose();
  }
}

// The page's inline script looks for this (it is the bundle's entry point, not a library export).
(globalThis as { fractureInBrowser?: { predict: typeof predictInBrowser } }).fractureInBrowser = { predict: predictInBrowser };
