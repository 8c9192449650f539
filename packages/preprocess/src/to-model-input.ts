import type { DecodedImage } from './image-types';
import { roundHalfEven } from './image-tensor';
import { resizePixels } from './resize';
import { decodedToPixels } from './to-tensor';

/** The size, channels and filter of a model's input; see {@link toModelInput}. */
export interface ModelInputSettings {
  height: number;
  width: number;
  channels: 1 | 3;
  antialias: boolean;
}
/**
 * A decoded image as the loader feeds it to a model, before augmentation and normalisation: converted
 * to the model's channels (luma for gray), resized and rounded to 8 bits, `[height, width, channels]`
 * row-major. Prediction code calls this too, so that a model sees the same pixels it was trained on.
 */
export function toModelInput(image: DecodedImage, settings: ModelInputSettings): Uint8Array {
  const { height, width, channels } = settings;
  if (!Number.isInteger(height) || height < 1 || !Number.isInteger(width) || width < 1) {
    throw new Error(`toModelInput: height and width must be positive integers, got ${height} x ${width}`);
  }
  if (channels !== 1 && channels !== 3) throw new Error(`toModelInput: channels must be 1 or 3, got ${String(channels)}`);
  if (image.bitDepth === 8 && image.width === width && image.height === height) {
    // Already the model's size (the dataset's 224-px copies): resizing and rounding would give the bytes back.
    if (image.channels === channels) return Uint8Array.from(image.data);
    if (image.channels === 1) {
      const out = new Uint8Array(height * width * 3);
      for (let p = 0; p < image.data.length; p++) out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = image.data[p];
      return out;
    }
  }
  // A gray radiograph is resized as one channel and replicated afterwards: the same values (resizing is
  // per channel) for a third of the work and memory on a 4,000-px original. Gray stored as RGB counts as
  // gray: its first channel is taken as is.
  const grayPlane = image.channels === 3 ? firstChannelIfGray(image) : undefined;
  const source = grayPlane ?? image;
  const gray = source.channels < 3;
  const full = decodedToPixels(source, gray ? 1 : settings.channels);
  const small = resizePixels(full, [settings.height, settings.width], { antialias: settings.antialias });
  const out = new Uint8Array(settings.height * settings.width * settings.channels);
  const repeat = settings.channels / small.channels;
  const values = small.data;
  for (let i = 0; i < values.length; i++) {
    // float32 product and round-half-even, exactly as tf.round(tf.mul(x, 255)) did before.
    const level = roundHalfEven(Math.fround(values[i] * 255));
    const clamped = level < 0 ? 0 : level > 255 ? 255 : level;
    for (let r = 0; r < repeat; r++) out[i * repeat + r] = clamped;
  }
  return out;
}

/** The image's first channel as a gray image when all three channels are equal, else undefined (one pass). */
function firstChannelIfGray(image: DecodedImage): DecodedImage | undefined {
  const { data } = image;
  const plane = data instanceof Uint16Array ? new Uint16Array(data.length / 3) : new Uint8Array(data.length / 3);
  for (let p = 0, i = 0; p < plane.length; p++, i += 3) {
    const level = data[i]!;
    if (level !== data[i + 1] || level !== data[i + 2]) return undefined;
    plane[p] = level;
  }
  return { ...image, data: plane, channels: 1 };
}
