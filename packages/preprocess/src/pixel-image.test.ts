import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createBatchLoader } from './batch-loader';
import { compose } from './compose';
import type { ImageTensor, PixelImage, Transform } from './image-types';
import { mapImages, pixelsToTensor, tensorToPixels } from './pixel-image';
import { createRng } from './rng';
import * as transforms from './transforms';
import type { DatasetItem } from './dataset-types';
import { PNG } from 'pngjs';
import { jpegBytes, makeTempDir, pngBytes, removeDir, writeFile } from '../test/dataset-helpers';

/** A deterministic image with values spread over [0, 1] (not a smooth pattern, so sampling errors show). */
function noiseImage(height: number, width: number, channels: number, seed: number): tf.Tensor3D {
  const rng = createRng(seed);
  return tf.tensor3d(Float32Array.from({ length: height * width * channels }, () => rng.next()), [height, width, channels]);
}

function pixelPath(transform: Transform, x: tf.Tensor3D, seed: number): PixelImage {
  const kernel = transform.pixels;
  if (!kernel) throw new Error('transform has no pixel kernel');
  return kernel(tensorToPixels(x), createRng(seed));
}

const cases: [string, () => Transform][] = [
  ['resize', () => transforms.resize([20, 14])],
  ['resize without antialias', () => transforms.resize(40, { antialias: false })],
  ['randomResizedCrop', () => transforms.randomResizedCrop(16, { scale: [0.5, 1] })],
  ['randomHorizontalFlip', () => transforms.randomHorizontalFlip()],
  ['randomVerticalFlip', () => transforms.randomVerticalFlip(0.7)],
  ['randomRotation', () => transforms.randomRotation(25, { fill: 0.5 })],
  ['randomRotation nearest', () => transforms.randomRotation([-40, 40], { interpolation: 'nearest' })],
  ['colorJitter', () => transforms.colorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4 })],
  ['randomApply(colorJitter)', () => transforms.randomApply(transforms.colorJitter({ contrast: [0.2, 0.3] }), 0.5)],
  [
    'compose of the study augmentation',
    () =>
      compose([
        transforms.randomResizedCrop(24, { scale: [0.8, 1] }),
        transforms.randomHorizontalFlip(),
        transforms.randomRotation(10),
        transforms.colorJitter({ brightness: 0.3, contrast: 0.3, saturation: 0.3 }),
      ]),
  ],
];

describe('pixel kernels equal the tensor ops (same values, same random draws)', () => {
  test.each(cases)('%s', (_, make) => {
    const transform = make();
    for (const channels of [1, 3]) {
      const x = noiseImage(30, 26, channels, 7 + channels);
      for (const seed of [1, 2, 3, 4]) {
        const start = tf.memory().numTensors;
        const viaTensor = transform(x, createRng(seed)) as tf.Tensor3D;
        const viaPixels = pixelPath(transform, x, seed);
        expect([viaPixels.height, viaPixels.width, viaPixels.channels]).toEqual(viaTensor.shape);
        // Both run the same kernel, so the results are bit-identical, not merely close.
        expect(Array.from(viaPixels.data)).toEqual(Array.from(viaTensor.dataSync()));
        // randomApply hands its input back when it does not fire.
        if (viaTensor !== x) viaTensor.dispose();
        expect(tf.memory().numTensors).toBe(start);
      }
      x.dispose();
    }
  });

  test('the pixel kernel leaves its input untouched', () => {
    const x = noiseImage(12, 10, 3, 5);
    const image = tensorToPixels(x);
    const before = Float32Array.from(image.data);
    cases.forEach(([, make]) => make().pixels?.(image, createRng(9)));
    expect(image.data).toEqual(before);
    x.dispose();
  });

  test('compose has no pixel kernel when one step lacks it, and still works on tensors', () => {
    const pipeline = compose([transforms.randomHorizontalFlip(), transforms.gaussianBlur(3, 1)]);
    expect(pipeline.pixels).toBeUndefined();
    const x = noiseImage(8, 8, 1, 1);
    const out = pipeline(x, createRng(0));
    expect(out.shape).toEqual([8, 8, 1]);
    tf.dispose([x, out]);
  });
});

describe('mapImages', () => {
  test('applies the kernel per image of a batch, keeps the rank, and leaks nothing', () => {
    const batch = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 1]);
    const start = tf.memory().numTensors;
    const out = mapImages(batch, (image, i) => ({ ...image, data: image.data.map((v) => v * (i + 1)) }));
    expect(out.shape).toEqual([2, 2, 2, 1]);
    expect(Array.from(out.dataSync())).toEqual([1, 2, 3, 4, 10, 12, 14, 16]);
    out.dispose();
    expect(tf.memory().numTensors).toBe(start);
    const single = tf.tensor3d([0.5, 0.25], [1, 2, 1]);
    const back = pixelsToTensor(tensorToPixels(single));
    expect(back.shape).toEqual([1, 2, 1]);
    expect(Array.from(back.dataSync())).toEqual([0.5, 0.25]);
    tf.dispose([batch, single, back]);
  });

  test('an empty batch gives an empty batch of the kernel\'s output shape', () => {
    const empty = tf.zeros([0, 5, 4, 3]) as tf.Tensor4D;
    const out = mapImages(empty, (image) => ({ ...image, data: new Float32Array(2 * 2 * 3), width: 2, height: 2 }));
    expect(out.shape).toEqual([0, 2, 2, 3]);
    tf.dispose([empty, out]);
  });
});

describe('createBatchLoader uses the pixel kernels with the same result as the tensor path', () => {
  let root: string;
  let items: DatasetItem[];
  beforeAll(() => {
    root = makeTempDir('pixel-loader');
    items = [
      { path: writeFile(root, 'a/1.png', pngBytes(40, 30, 0)), label: 0, className: 'a' },
      { path: writeFile(root, 'b/2.jpg', jpegBytes(24, 20, 50)), label: 1, className: 'b' },
      { path: writeFile(root, 'a/3.png', pngBytes(17, 23, 90)), label: 0, className: 'a' },
      { path: writeFile(root, 'b/4.png', pngBytes(30, 31, 10)), label: 1, className: 'b' },
      { path: writeFile(root, 'a/5.jpg', jpegBytes(16, 16, 7)), label: 0, className: 'a' },
    ];
  });
  afterAll(() => removeDir(root));

  const runLoader = async (
    list: DatasetItem[],
    transform: (x: tf.Tensor3D, rng: Parameters<Transform>[1]) => ImageTensor,
  ): Promise<number[][]> => {
    const loader = createBatchLoader(list, { imageSize: 12, channels: 3, batchSize: 4, transform, seed: 5, mean: 0.5, std: 0.25 });
    const values: number[][] = [];
    for await (const batch of loader.batches(1)) {
      values.push(Array.from(batch.xs.dataSync()));
      tf.dispose([batch.xs, batch.ys]);
    }
    expect(loader.failures).toEqual([]);
    return values;
  };
  // The same function without its `pixels` property forces the tensor path (on the replicated RGB image).
  const tensorOnly = (transform: Transform) => (x: ImageTensor, rng: Parameters<Transform>[1]) => transform(x, rng);
  const maxDifference = (a: number[][], b: number[][]) =>
    Math.max(...a.map((row, i) => Math.max(...row.map((v, j) => Math.abs(v - b[i][j])))));

  test('gray images through geometric steps: the one-channel shortcut gives exactly the tensor path', async () => {
    const geometric = compose([transforms.randomResizedCrop(12, { scale: [0.6, 1] }), transforms.randomHorizontalFlip(), transforms.randomRotation(15)]);
    expect(geometric.preservesGray).toBe(true);
    const start = tf.memory().numTensors;
    expect(await runLoader(items, geometric)).toEqual(await runLoader(items, tensorOnly(geometric)));
    expect(tf.memory().numTensors).toBe(start);
  });

  test('gray images through colour jitter: within 1e-4 of full scale (torchvision luma weights sum to 0.9999)', async () => {
    const augment = compose([transforms.randomResizedCrop(12, { scale: [0.6, 1] }), transforms.randomRotation(15), transforms.colorJitter({ contrast: 0.5, saturation: 0.5 })]);
    expect(augment.preservesGray).toBe(true);
    const viaPixels = await runLoader(items, augment);
    const viaTensor = await runLoader(items, tensorOnly(augment));
    // Normalised by std 0.25, so 1e-4 of full scale is 4e-4 here.
    expect(maxDifference(viaPixels, viaTensor)).toBeLessThanOrEqual(4e-4);
    expect(maxDifference(viaPixels, viaTensor)).toBeGreaterThan(0);
  });

  test('colour images are not taken for gray: the RGB pixel path gives exactly the tensor path', async () => {
    const colourRoot = makeTempDir('pixel-loader-colour');
    try {
      const rgb = (width: number, height: number, seed: number) => {
        const rng = createRng(seed);
        const png = new PNG({ width, height });
        for (let i = 0; i < png.data.length; i++) png.data[i] = i % 4 === 3 ? 255 : Math.floor(rng.next() * 256);
        return PNG.sync.write(png);
      };
      // One colour image among gray ones: each image takes its own path.
      const mixed = [...items.slice(0, 2), { path: writeFile(colourRoot, 'c/6.png', rgb(20, 18, 3)), label: 1, className: 'c' }];
      const augment = compose([transforms.randomResizedCrop(12, { scale: [0.6, 1] }), transforms.colorJitter({ brightness: 0.4, saturation: 0.5 })]);
      const viaPixels = await runLoader(mixed, augment);
      const viaTensor = await runLoader(mixed, tensorOnly(augment));
      const colourImage = (values: number[][]) => values[0].slice(2 * 12 * 12 * 3);
      expect(colourImage(viaPixels)).toEqual(colourImage(viaTensor));
    } finally {
      removeDir(colourRoot);
    }
  });
});

describe('preservesGray: a gray image can be augmented at one channel', () => {
  test('set on the built-in pixel transforms and compose of them; not for a per-channel fill or a plain function', () => {
    cases.forEach(([name, make]) => expect([name, make().preservesGray]).toEqual([name, true]));
    expect(transforms.randomRotation(10, { fill: [0.2, 0.2, 0.2] }).preservesGray).toBe(true);
    expect(transforms.randomRotation(10, { fill: [0.2, 0.5, 0.2] }).preservesGray).toBe(false);
    // A per-channel fill that is the same everywhere runs at one channel with that value.
    const uniform = transforms.randomRotation(30, { fill: [0.2, 0.2, 0.2] }).pixels!;
    const gray = tensorToPixels(noiseImage(10, 12, 1, 4));
    const rgb = { ...gray, channels: 3, data: Float32Array.from({ length: gray.data.length * 3 }, (_, k) => gray.data[Math.floor(k / 3)]) };
    const one = uniform(gray, createRng(2)).data;
    const three = uniform(rgb, createRng(2)).data;
    expect(Array.from(one)).toEqual(Array.from(three).filter((_, k) => k % 3 === 0));
    expect(Array.from(one)).toEqual(Array.from(three).filter((_, k) => k % 3 === 2));
    const custom: Transform = (x) => x;
    expect(compose([transforms.randomHorizontalFlip(), Object.assign(custom, { pixels: (image: PixelImage) => image })]).preservesGray).toBe(false);
  });

  test.each(cases)('%s on one channel, replicated, equals it on the replicated RGB image', (name, make) => {
    const transform = make();
    const kernel = transform.pixels!;
    const gray = tensorToPixels(noiseImage(30, 26, 1, 11));
    const rgbData = new Float32Array(gray.data.length * 3);
    gray.data.forEach((v, p) => rgbData.set([v, v, v], 3 * p));
    for (const seed of [1, 2, 3, 4]) {
      const one = kernel(gray, createRng(seed));
      const three = kernel({ ...gray, data: rgbData, channels: 3 }, createRng(seed));
      expect([one.height, one.width, one.channels]).toEqual([three.height, three.width, 1]);
      let worst = 0;
      one.data.forEach((v, p) => {
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(v - three.data[3 * p + c]));
      });
      // Colour jitter's contrast and saturation use luma weights summing to 0.9999 on RGB; the rest is exact.
      expect(worst).toBeLessThanOrEqual(/olor/.test(name) || /study/.test(name) ? 1e-4 : 0);
    }
  });
});
