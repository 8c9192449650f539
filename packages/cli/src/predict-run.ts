import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { decodeImageAsync } from '@fracture/preprocess';
import { displayPath } from './display-path';
import { percent } from './output';
import type { CommandOutput } from './output';
import type { Predictor } from './predictor';

const IMAGE_EXTENSIONS = /\.(png|jpe?g|dcm|dicom)$/i;

/** One input as found on disk: an image file to classify, or an argument that cannot be used. */
export type ImageInput = { file: string; error?: undefined } | { file: string; error: string };

/**
 * Expands files and folders (recursively, sorted) into image files, in argument order. An argument that does
 * not exist comes back with its error instead of ending the listing, so one typo does not cost the other files.
 */
export async function collectImageInputs(inputs: string[]): Promise<ImageInput[]> {
  const found: ImageInput[] = [];
  for (const input of inputs) {
    let stat;
    try {
      stat = await fs.stat(input);
    } catch (error) {
      const errno = error as NodeJS.ErrnoException;
      found.push({ file: input, error: errno.code === 'ENOENT' ? 'no such file or folder' : `cannot read (${errno.message})` });
      continue;
    }
    if (stat.isDirectory()) {
      const entries = await fs.readdir(input, { recursive: true, withFileTypes: true });
      const files = entries
        .filter((entry) => entry.isFile() && IMAGE_EXTENSIONS.test(entry.name))
        .map((entry) => path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name));
      found.push(...files.sort().map((file) => ({ file })));
    } else {
      found.push({ file: input });
    }
  }
  return found;
}

export interface PredictRunOptions {
  inputs: string[];
  predictor: Predictor;
  output: CommandOutput;
  /** Folder for Grad-CAM overlays; none are written without it. */
  overlayDir?: string;
}

/**
 * Classifies every input it can and reports each one it cannot (file and reason, on stderr) without stopping.
 * stdout carries only results: text lines for the images classified (names escaped to one line each), or one
 * JSON list with an `error` entry per failed file. Returns the number of failures, for a non-zero exit.
 */
export async function runPredict(options: PredictRunOptions): Promise<{ failures: number; results: Record<string, unknown>[] }> {
  const { predictor, output, overlayDir } = options;
  const inputs = await collectImageInputs(options.inputs);
  const results: Record<string, unknown>[] = [];
  const lines: string[] = [];
  let failures = 0;
  const fail = (file: string, reason: string, message = `${file}: ${reason}`) => {
    failures += 1;
    results.push({ file, error: message });
    output.info(`predict: ${displayPath(file)}: ${reason}`);
  };
  for (const input of inputs) {
    if (input.error !== undefined) {
      fail(input.file, input.error);
      continue;
    }
    const { file } = input;
    try {
      const image = await decodeImageAsync(new Uint8Array(await fs.readFile(file)), { path: file });
      const [prediction] = predictor.predictImages([image]);
      const entry: Record<string, unknown> = { file, ...prediction };
      if (overlayDir) {
        await fs.mkdir(overlayDir, { recursive: true });
        const explanation = await predictor.explain(image, { classIndex: prediction.classIndex });
        entry.overlay = path.join(overlayDir, `${path.parse(file).name}-gradcam.png`);
        await fs.writeFile(entry.overlay as string, explanation.overlayPng);
      }
      results.push(entry);
      lines.push(`${displayPath(file)}: ${prediction.predictedClass} (${percent(prediction.probability)})${entry.overlay ? ` → ${displayPath(entry.overlay as string)}` : ''}`);
    } catch (error) {
      // Decoder errors already name the file: the stderr line names it once, in its escaped form.
      const message = (error as Error).message;
      fail(file, message.replace(/^decodeImage: /, '').replace(`${file}: `, ''), message);
    }
  }
  if (inputs.length === 0) {
    failures += 1;
    output.info('predict: no image files found');
  }
  if (output.json || lines.length > 0) output.result(results, lines.join('\n'));
  return { failures, results };
}
