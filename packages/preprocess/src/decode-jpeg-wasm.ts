/** A JPEG decoded by libjpeg-turbo: 1 (gray) or 3 (RGB) interleaved 8-bit channels, as in the file. */
export interface WasmJpegImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** Decodes one JPEG synchronously; throws when libjpeg-turbo refuses the file or finds it damaged. */
export type WasmJpegDecode = (bytes: Uint8Array) => WasmJpegImage;

/** The embind API of @cornerstonejs/codec-libjpeg-turbo-8bit's decoder that is used here. */
interface JpegDecoderInstance {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number };
  getDecodedBuffer(): Uint8Array;
}
interface LibjpegTurboModule {
  JPEGDecoder: new () => JpegDecoderInstance;
}
type ModuleFactory = (options: Record<string, unknown>) => Promise<LibjpegTurboModule>;

let load: Promise<WasmJpegDecode | null> | undefined;

/**
 * libjpeg-turbo built to WebAssembly (Cornerstone's medical-imaging codec) when it can be loaded, else
 * null. On a small JPEG it is ~2x faster than sharp, whose fixed cost per call (a libvips pipeline and a hop
 * to the thread pool) dominates a 10 KB file, and ~4x faster than jpeg-js. Its pixels are libjpeg-turbo's:
 * the same as sharp's and Pillow's. It needs no native binary, so it loads wherever Node runs.
 */
export function loadWasmJpegDecoder(): Promise<WasmJpegDecode | null> {
  load ??= instantiate().catch(() => null);
  return load;
}

async function instantiate(): Promise<WasmJpegDecode> {
  // Hidden from bundlers like sharp (see decode-image-async.ts): in a browser bundle the pure-JS decoder is used.
  const specifier = '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs';
  const imported = (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as { default?: unknown };
  const factory = (imported.default ?? imported) as ModuleFactory;
  // libjpeg reports through stderr before it fails; the fallback decoder words the error instead.
  const codec = await factory({ print: () => undefined, printErr: () => undefined });
  const decoder = new codec.JPEGDecoder();
  return (bytes) => {
    const input = decoder.getEncodedBuffer(bytes.length);
    input.set(bytes);
    try {
      decoder.decode();
    } catch (error) {
      // embind hands C++ exceptions over as bare pointers: there is no message to pass on.
      throw new Error(`libjpeg-turbo (wasm) could not decode the file${typeof error === 'number' ? '' : `: ${String(error)}`}`);
    }
    const { width, height, bitsPerSample, componentCount } = decoder.getFrameInfo();
    if (bitsPerSample !== 8 || (componentCount !== 1 && componentCount !== 3)) {
      throw new Error(`libjpeg-turbo (wasm): unsupported ${bitsPerSample}-bit, ${componentCount}-component JPEG`);
    }
    // The decoded pixels live in the module's heap and are overwritten by the next call: copy them out.
    const data = new Uint8Array(decoder.getDecodedBuffer());
    return { data, width, height, channels: componentCount === 1 ? 1 : 3 };
  };
}
