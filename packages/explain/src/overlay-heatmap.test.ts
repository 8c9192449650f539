import { overlayHeatmap } from './overlay-heatmap';
import { pythonUnavailable, runPythonJson } from './testing/python';
import type { Heatmap, RasterImage } from './types';

const gray8 = (width: number, height: number, values: number[]): RasterImage => ({
  data: Uint8Array.from(values),
  width,
  height,
  channels: 1,
  bitDepth: 8,
});
const constantMap = (value: number, width = 1, height = 1): Heatmap => ({
  data: new Float32Array(width * height).fill(value),
  width,
  height,
});

const missingCv2 = pythonUnavailable(['cv2', 'numpy']);
if (missingCv2 !== null) console.warn(`overlayHeatmap: OpenCV comparison skipped: ${missingCv2}`);
const testCv2 = missingCv2 === null ? test : test.skip;

describe('overlayHeatmap', () => {
  test('blends (1 - alpha) * xray + alpha * colour at the X-ray resolution (hand-computed)', () => {
    const out = overlayHeatmap(gray8(2, 2, [0, 100, 200, 255]), constantMap(1), { alpha: 0.25, colormap: 'jet' });
    expect([out.width, out.height, out.channels, out.bitDepth]).toEqual([2, 2, 3, 8]);
    // jet(1) = (128, 0, 0): 0.75 * v + 0.25 * (128, 0, 0)
    expect(Array.from(out.data)).toEqual([32, 0, 0, 107, 75, 75, 182, 150, 150, 223, 191, 191]);
  });

  test('16-bit X-rays are windowed to their own range by default, or by the full range', () => {
    const xray: RasterImage = { data: Uint16Array.from([1000, 2000, 3000, 5000]), width: 2, height: 2, channels: 1, bitDepth: 16 };
    const auto = overlayHeatmap(xray, constantMap(0.5), { alpha: 0 });
    // (v - 1000) / 4000 * 255 = 0, 63.75, 127.5, 255
    expect(Array.from(auto.data)).toEqual([0, 0, 0, 64, 64, 64, 128, 128, 128, 255, 255, 255]);
    const full = overlayHeatmap(xray, constantMap(0.5), { alpha: 0, window: 'full' });
    expect(Array.from(full.data.filter((_, i) => i % 3 === 0))).toEqual([4, 8, 12, 19]);
  });

  test('RGB(A) originals keep their colours; alpha channels are dropped; below-threshold heat leaves pixels untouched', () => {
    const rgba: RasterImage = { data: Uint8Array.from([10, 20, 30, 255, 40, 50, 60, 0]), width: 2, height: 1, channels: 4, bitDepth: 8 };
    const plain = overlayHeatmap(rgba, constantMap(1), { alpha: 0 });
    expect(Array.from(plain.data)).toEqual([10, 20, 30, 40, 50, 60]);
    const heat: Heatmap = { data: Float32Array.from([0.25, 0.75]), width: 2, height: 1 };
    const thresholded = overlayHeatmap(rgba, heat, { alpha: 1, colormap: 'gray', threshold: 0.5 });
    expect(Array.from(thresholded.data)).toEqual([10, 20, 30, 191, 191, 191]);
  });

  test('validates its inputs', () => {
    expect(() => overlayHeatmap(gray8(2, 2, [0, 0, 0]), constantMap(1))).toThrow(/overlayHeatmap: image data has 3 samples, expected 2x2x1 = 4/);
    expect(() => overlayHeatmap(gray8(1, 1, [0]), { data: new Float32Array(3), width: 2, height: 2 })).toThrow(
      /overlayHeatmap: heatmap data must be a Float32Array of 2x2 values/,
    );
    expect(() => overlayHeatmap(gray8(1, 1, [0]), constantMap(1), { alpha: 2 })).toThrow(/overlayHeatmap: alpha must be in \[0, 1\], got 2/);
  });

  testCv2('equals OpenCV resize + applyColorMap(JET) + blend, as pytorch-grad-cam composes it, within 3/255', () => {
    const width = 23;
    const height = 17;
    const xray = Array.from({ length: width * height }, (_, i) => (i * 37) % 256);
    const heat = Array.from({ length: 5 * 4 }, (_, i) => ((i * 7) % 20) / 19);
    const reference = runPythonJson<number[]>(
      [
        'import cv2, json, sys, numpy as np',
        'a = json.load(sys.stdin)',
        'img = np.array(a["xray"], np.float32).reshape(a["h"], a["w"], 1).repeat(3, 2)',
        'heat = cv2.resize(np.array(a["heat"], np.float32).reshape(4, 5), (a["w"], a["h"]), interpolation=cv2.INTER_LINEAR)',
        'colour = cv2.applyColorMap(np.uint8(np.round(255 * heat)), cv2.COLORMAP_JET)[:, :, ::-1].astype(np.float32)',
        'print(json.dumps(np.round(0.6 * img + 0.4 * colour).astype(int).reshape(-1).tolist()))',
      ].join('\n'),
      { xray, heat, w: width, h: height },
    );
    const ours = overlayHeatmap(gray8(width, height, xray), { data: Float32Array.from(heat), width: 5, height: 4 }, { alpha: 0.4, colormap: 'jet' });
    let worst = 0;
    ours.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - reference[i]!))));
    expect(worst).toBeLessThanOrEqual(3);
  });
});
