/**
 * Factories that turn the image operations into `Transform`s for `compose`, mirroring
 * torchvision.transforms names. Random steps draw from the generator the pipeline is run with.
 */
import { centerCrop as centerCropOp } from './center-crop';
import { clahe as claheOp, type ClaheOptions } from './clahe';
import { colorJitter as colorJitterOp, type JitterRange } from './color-jitter';
import { equalizeHistogram as equalizeHistogramOp } from './equalize-histogram';
import { randomFlip } from './flip';
import { gaussianBlur as gaussianBlurOp } from './gaussian-blur';
import { toGrayscale as toGrayscaleOp, toRgb as toRgbOp } from './grayscale';
import type { ImageSize, Transform } from './image-types';
import { normalize as normalizeOp } from './normalize';
import { randomResizedCrop as randomResizedCropOp } from './random-resized-crop';
import { resize as resizeOp, type ResizeOptions } from './resize';
import { angleRange, randomRotation as randomRotationOp, type RotateOptions } from './rotate';

export function resize(size: ImageSize, options: ResizeOptions = {}): Transform {
  return (x) => resizeOp(x, size, options);
}

export function centerCrop(size: ImageSize): Transform {
  return (x) => centerCropOp(x, size);
}

export function randomResizedCrop(
  size: ImageSize,
  options: { scale?: readonly [number, number]; ratio?: readonly [number, number]; antialias?: boolean } = {},
): Transform {
  return (x, rng) => randomResizedCropOp(x, { ...options, size, seed: rng });
}

/** `degrees` d means a uniform angle in [-d, d]. */
export function randomRotation(degrees: number | readonly [number, number], options: RotateOptions = {}): Transform {
  angleRange(degrees, 'transforms.randomRotation');
  return (x, rng) => randomRotationOp(x, { ...options, degrees, seed: rng });
}

export function randomHorizontalFlip(probability = 0.5): Transform {
  return (x, rng) => randomFlip(x, { horizontal: probability, vertical: 0, seed: rng });
}

export function randomVerticalFlip(probability = 0.5): Transform {
  return (x, rng) => randomFlip(x, { horizontal: 0, vertical: probability, seed: rng });
}

export function colorJitter(options: {
  brightness?: JitterRange;
  contrast?: JitterRange;
  saturation?: JitterRange;
}): Transform {
  return (x, rng) => colorJitterOp(x, { ...options, seed: rng });
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
  return (x, rng) => (rng.next() < probability ? transform(x, rng) : x);
}
