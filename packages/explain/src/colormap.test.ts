import { colormap } from './colormap';
import { pythonUnavailable, runPythonJson } from './testing/python';

const missingCv2 = pythonUnavailable(['cv2', 'numpy']);
if (missingCv2 !== null) console.warn(`colormap: OpenCV comparisons skipped: ${missingCv2}`);
const testCv2 = missingCv2 === null ? test : test.skip;

describe('colormap', () => {
  test('jet has the textbook anchors: dark blue, cyan-green-yellow ramp, dark red', () => {
    // jet = clamp(1.5 - |4v - k|) for k = 3 (red), 2 (green), 1 (blue).
    expect(Array.from(colormap([0, 0.125, 0.375, 0.5, 0.625, 0.875, 1], 'jet'))).toEqual([
      0, 0, 128, 0, 0, 255, 0, 255, 255, 128, 255, 128, 255, 255, 0, 255, 0, 0, 128, 0, 0,
    ]);
  });

  test('gray is a linear ramp; values are clamped and NaN counts as 0', () => {
    expect(Array.from(colormap([0, 0.5, 1, -3, 7, NaN], 'gray'))).toEqual([
      0, 0, 0, 128, 128, 128, 255, 255, 255, 0, 0, 0, 255, 255, 255, 0, 0, 0,
    ]);
    expect(Array.from(colormap([-1, NaN], 'turbo'))).toEqual(Array.from(colormap([0, 0], 'turbo')));
  });

  test('turbo ends at the published Turbo endpoints and rises in lightness to the middle', () => {
    // Turbo's first and last entries: (0.18995, 0.07176, 0.23217) and (0.47960, 0.01583, 0.01055).
    expect(Array.from(colormap([0, 1]))).toEqual([48, 18, 59, 122, 4, 3]);
    const ramp = colormap(Array.from({ length: 11 }, (_, i) => i / 20));
    const luma = (i: number) => 0.299 * ramp[i * 3]! + 0.587 * ramp[i * 3 + 1]! + 0.114 * ramp[i * 3 + 2]!;
    for (let i = 1; i < 11; i++) expect(luma(i)).toBeGreaterThan(luma(i - 1));
  });

  test('rejects unknown names', () => {
    expect(() => colormap([0.5], 'viridis' as 'jet')).toThrow(/colormap: unknown colormap 'viridis', expected one of turbo, jet, gray/);
  });

  testCv2('matches cv2.applyColorMap: jet within 1/255, turbo within 3/255 on all 256 levels', () => {
    const reference = runPythonJson<{ jet: number[]; turbo: number[] }>(
      [
        'import cv2, json, numpy as np',
        'v = np.arange(256, dtype=np.uint8).reshape(1, 256)',
        'rgb = lambda m: cv2.applyColorMap(v, m)[0][:, ::-1].reshape(-1).tolist()',
        'print(json.dumps({"jet": rgb(cv2.COLORMAP_JET), "turbo": rgb(cv2.COLORMAP_TURBO)}))',
      ].join('\n'),
      null,
    );
    const levels = Array.from({ length: 256 }, (_, i) => i / 255);
    for (const [name, tolerance] of [['jet', 1], ['turbo', 3]] as const) {
      const ours = colormap(levels, name);
      let worst = 0;
      ours.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - reference[name][i]!))));
      expect(worst).toBeLessThanOrEqual(tolerance);
    }
  });
});
