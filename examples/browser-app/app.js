// The browser app: everything runs in the page, the X-ray never leaves it.
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { CLASS_NAMES, decodeImage, normalize, toModelInput } from '@fracture/preprocess';
import { createModel, getModelSpec } from '@fracture/models';
import { gradCam, overlayHeatmap } from '@fracture/explain';
import { brierScore } from '@fracture/metrics';

export const MODEL = { name: 'mobilenetv2', inputSize: 64, channels: 3, seed: 7 };

/** The model input of an X-ray file's bytes, exactly as the training loader prepares it. */
export function prepare(bytes) {
  const image = decodeImage(bytes);
  const { mean, std } = getModelSpec(MODEL.name);
  const levels = toModelInput(image, { height: MODEL.inputSize, width: MODEL.inputSize, channels: MODEL.channels, antialias: true });
  const input = tf.tidy(() =>
    normalize(tf.tensor3d(Float32Array.from(levels, (v) => v / 255), [MODEL.inputSize, MODEL.inputSize, MODEL.channels]), mean, std),
  );
  return { image, input };
}

/** Loads the wasm backend from `wasmPath` (served by the app itself: nothing is fetched from a CDN). */
export async function startWasm(wasmPath) {
  setWasmPaths(wasmPath);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  await tf.ready();
  return tf.getBackend();
}

/** Decodes, classifies and explains one X-ray, and draws the Grad-CAM overlay on `canvas`. */
export async function classifyAndExplain(bytes, canvas) {
  const model = createModel(MODEL.name, { inputSize: MODEL.inputSize, channels: MODEL.channels, seed: MODEL.seed });
  const { image, input } = prepare(bytes);
  try {
    const cam = await gradCam(model, input);
    const overlay = overlayHeatmap(image, cam.heatmap, { colormap: 'turbo', alpha: 0.4 });
    canvas.width = overlay.width;
    canvas.height = overlay.height;
    const rgba = new Uint8ClampedArray(overlay.width * overlay.height * 4);
    for (let p = 0; p < overlay.width * overlay.height; p++) {
      rgba.set(overlay.data.subarray(p * 3, p * 3 + 3), p * 4);
      rgba[p * 4 + 3] = 255;
    }
    canvas.getContext('2d').putImageData(new ImageData(rgba, overlay.width, overlay.height), 0, 0);
    return {
      backend: tf.getBackend(),
      image: { width: image.width, height: image.height, channels: image.channels, data: Array.from(image.data) },
      predictedClass: CLASS_NAMES[cam.predictedClass],
      probabilities: cam.probabilities,
      // A metric computed in the page too: the Brier score of this one prediction if the X-ray is fractured.
      brierIfFractured: brierScore([0], [cam.probabilities[0]], { positiveLabel: 0 }),
      layer: cam.layer,
      heatmap: { width: cam.heatmap.width, height: cam.heatmap.height, data: Array.from(cam.heatmap.data) },
    };
  } finally {
    input.dispose();
    model.dispose();
  }
}
