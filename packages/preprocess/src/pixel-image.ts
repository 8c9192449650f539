import * as tf from '@tensorflow/tfjs-core';
import { asBatch, likeInput } from './image-tensor';
import type { ImageTensor, PixelImage } from './image-types';

/**
 * Runs a per-image pixel kernel over an image tensor: one download, the kernel on each image, one upload.
 * The tensor ops are thin wrappers over these kernels, so the tensor path and the pixel path (used by
 * `createBatchLoader`) compute the same values.
 */
export function mapImages<T extends ImageTensor>(x: T, kernel: (image: PixelImage, index: number) => PixelImage): T {
  return tf.tidy(() => {
    const batch = asBatch(x);
    const [n, h, w, c] = batch.shape;
    const src = batch.dataSync() as Float32Array;
    const size = h * w * c;
    if (n === 0) {
      // An empty batch still has a well-defined output shape: ask the kernel with a blank image. A random
      // kernel draws once here; nothing else depends on an empty batch's draws.
      const probe = kernel({ data: new Float32Array(size), width: w, height: h, channels: c }, 0);
      return likeInput(x, tf.zeros([0, probe.height, probe.width, probe.channels]) as tf.Tensor4D);
    }
    const outputs: PixelImage[] = [];
    for (let i = 0; i < n; i++) {
      outputs.push(kernel({ data: src.subarray(i * size, (i + 1) * size), width: w, height: h, channels: c }, i));
    }
    const first = outputs[0];
    const out = new Float32Array(n * first.data.length);
    outputs.forEach((image, i) => out.set(image.data, i * first.data.length));
    return likeInput(x, tf.tensor4d(out, [n, first.height, first.width, first.channels]));
  });
}

/** Copies a tensor's single image into a pixel buffer (the caller keeps the tensor). */
export function tensorToPixels(x: tf.Tensor3D): PixelImage {
  const [height, width, channels] = x.shape;
  return { data: Float32Array.from(x.dataSync()), width, height, channels };
}

/** A new [H, W, C] tensor holding the pixels. */
export function pixelsToTensor(image: PixelImage): tf.Tensor3D {
  return tf.tensor3d(image.data, [image.height, image.width, image.channels]);
}
