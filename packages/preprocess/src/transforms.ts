/**
 * Factories that turn the image operations into `Transform`s for `compose`, mirroring
 * torchvision.transforms names. Random steps draw from the generator the pipeline is run with.
 */
import { centerCrop as centerCropOp } from './center-crop';
import { clahe as claheOp, type ClaheOptions } from './clahe';
import { colorJitter as colorJitterOp, colorJitterPixels, colorJitterRanges, type JitterRange } from './color-jitter';
import { equalizeHistogram as equalizeHistogramOp } from './equalize-histogram';
import { drawFlip, flipPixels, randomFlip } from './flip';
import { gaussianBlur as gaussianBlurOp } from './gaussian-blur';
import { toGrayscale as toGrayscaleOp, toRgb as toRgbOp } from './grayscale';
import { parseSize } from './image-tensor';
import type { ImageSize, ImageTensor, PixelTransform, Transform } from './image-types';
import { normalize as normalizeOp } from './normalize';
import {
  randomResizedCrop as randomResizedCropOp,
  resizedCropPixels,
  resizedCropRanges,
  sampleResizedCropBox,
} from './random-resized-crop';
import { resize as resizeOp, resizePixels, type ResizeOptions } from './resize';
import { angleRange, randomRotation as randomRotationOp, rotatePixels, type RotateOptions } from './rotate';
import type { Rng } from './types';

/**
 * A tensor transform that also carries its one-image pixel kernel (see `Transform.pixels`), and whether
 * that kernel may run gray images at one channel (`Transform.preservesGray`).
 */
function withPixels(
  tensorStep: (x: ImageTensor, rng: Rng) => ImageTensor,
  pixels: PixelTransform,
  preservesGray = true,
): Transform {
  return Object.assign(tensorStep, { pixels, preservesGray });
}

export function resize(size: ImageSize, options: ResizeOptions = {}): Transform {
  parseSize(size, 'transforms.resize');
  return withPixels(
    (x) => resizeOp(x, size, options),
    (image) => resizePixels(image, size, options),
  );
}

export function centerCrop(size: ImageSize): Transform {
  return (x) => centerCropOp(x, size);
}

export function randomResizedCrop(
  size: ImageSize,
  options: { scale?: readonly [number, number]; ratio?: readonly [number, number]; antialias?: boolean } = {},
): Transform {
  parseSize(size, 'transforms.randomResizedCrop');
  const { scale, ratio } = resizedCropRanges(options, 'transforms.randomResizedCrop');
  return withPixels(
    (x, rng) => randomResizedCropOp(x, { ...options, size, seed: rng }),
    (image, rng) => resizedCropPixels(image, sampleResizedCropBox(image.height, image.width, scale, ratio, rng), size, options.antialias),
  );
}

/** `degrees` d means a uniform angle in [-d, d]. */
export function randomRotation(degrees: number | readonly [number, number], options: RotateOptions = {}): Transform {
  const [low, high] = angleRange(degrees, 'transforms.randomRotation');
  const fill = options.fill;
  // A gray image stays gray only when every channel is filled alike; it then runs with that one value.
  const uniformFill = typeof fill !== 'object' || fill.every((v) => v === fill[0]);
  const grayOptions = typeof fill === 'object' && uniformFill ? { ...options, fill: fill[0] } : options;
  return withPixels(
    (x, rng) => randomRotationOp(x, { ...options, degrees, seed: rng }),
    (image, rng) => rotatePixels(image, rng.uniform(low, high), image.channels === 1 ? grayOptions : options),
    uniformFill,
  );
}

function randomFlipTransform(horizontal: number, vertical: number): Transform {
  return withPixels(
    (x, rng) => randomFlip(x, { horizontal, vertical, seed: rng }),
    (image, rng) => {
      const flip = drawFlip(horizontal, vertical, rng);
      return flip.horizontal || flip.vertical ? flipPixels(image, flip.horizontal, flip.vertical) : image;
    },
  );
}

export function randomHorizontalFlip(probability = 0.5): Transform {
  return randomFlipTransform(probability, 0);
}

export function randomVerticalFlip(probability = 0.5): Transform {
  return randomFlipTransform(0, probability);
}

export function colorJitter(options: {
  brightness?: JitterRange;
  contrast?: JitterRange;
  saturation?: JitterRange;
}): Transform {
  const ranges = colorJitterRanges(options, 'transforms.colorJitter');
  return withPixels(
    (x, rng) => colorJitterOp(x, { ...options, seed: rng }),
    (image, rng) => colorJitterPixels(image, ranges, rng),
  );
}

/**
 * torchvision's `GaussianBlur`: a fixed kernel and a sigma drawn uniformly from `sigma` ([0.1, 2] by
 * default) once per call.
 */
export function gaussianBlur(
  kernelSize: number | readonly [number, number],
  sigma: number | readonly [number, number] = [0.1, 2],
): Transform {
  const [low, high] = typeof sigma === 'number' ? [sigma, sigma] : sigma;
  if (!(low > 0 && high >= low)) {
    throw new Error(`transforms.gaussianBlur: expected sigma > 0 or [min, max] with 0 < min <= max, got ${JSON.stringify(sigma)}`);
  }
  return (x, rng) => {
    const s = rng.uniform(low, high);
    return gaussianBlurOp(x, { kernelSize, sigma: s });
  };
}

export function equalizeHistogram(): Transform {
  return (x) => equalizeHistogramOp(x);
}

export function clahe(options: ClaheOptions = {}): Transform {
  return (x) => claheOp(x, options);
}

export function normalize(mean?: number | readonly number[], std?: number | readonly number[]): Transform {
  return (x) => normalizeOp(x, mean, std);
}

export function toGrayscale(options: { keepChannels?: boolean } = {}): Transform {
  return (x) => toGrayscaleOp(x, options);
}

export function toRgb(): Transform {
  return (x) => toRgbOp(x);
}

/** Applies `transform` to the whole input with probability `probability` (torchvision's `RandomApply`). */
export function randomApply(transform: Transform, probability = 0.5): Transform {
  if (!(probability >= 0 && probability <= 1)) {
    throw new Error(`transforms.randomApply: expected a probability in [0, 1], got ${probability}`);
  }
  const step = (x: ImageTensor, rng: Rng) => (rng.next() < probability ? transform(x, rng) : x);
  const inner = transform.pixels;
  return inner
    ? withPixels(step, (image, rng) => (rng.next() < probability ? inner(image, rng) : image), transform.preservesGray === true)
    : step;
}
