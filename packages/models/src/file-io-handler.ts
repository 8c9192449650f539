import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { io } from '@tensorflow/tfjs-core';
import type { FileSystemIOOptions } from './file-io-handler-types';

const FN = 'fileSystemIO';
const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Writes a file under a temporary name and renames it, so readers never see half a file. */
async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new Error(`${FN}: ${path}: cannot write (${(error as Error).message})`);
  }
}

function joinWeightData(weightData: io.WeightData | undefined): Uint8Array {
  if (weightData === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(weightData) ? weightData : [weightData];
  return concatBytes(buffers.map((buffer) => new Uint8Array(buffer)));
}

function concatBytes(buffers: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(buffers.reduce((total, buffer) => total + buffer.byteLength, 0));
  let offset = 0;
  for (const buffer of buffers) {
    out.set(buffer, offset);
    offset += buffer.byteLength;
  }
  return out;
}

/** Bytes the listed weights occupy, or undefined when a string tensor makes it data-dependent. */
function expectedByteLength(specs: io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const bytesPerElement = Object.hasOwn(DTYPE_BYTES, dtype) ? DTYPE_BYTES[dtype] : undefined;
    if (bytesPerElement === undefined) return undefined;
    total += spec.shape.reduce((a, b) => a * b, 1) * bytesPerElement;
  }
  return total;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A tfjs IO handler that saves to and loads from a folder on disk, without tfjs-node:
 * `model.json` (topology, weights manifest, metadata) and `weights.bin`. Pass it to
 * `model.save(fileSystemIO(dir))` or `tf.loadLayersModel(fileSystemIO(dir))`.
 *
 * Each file is written to a temporary name and renamed into place, weights first, so an
 * interrupted save never leaves a truncated file; loading checks that every weights file
 * listed in `model.json` exists and has exactly the size its manifest implies.
 */
export function fileSystemIO(dir: string, options: FileSystemIOOptions = {}): io.IOHandler {
  if (typeof dir !== 'string' || dir.length === 0) throw new Error(`${FN}: expected a directory path, got ${JSON.stringify(dir)}`);
  if (options.metadata !== undefined && !isPlainObject(options.metadata)) {
    throw new Error(`${FN}: metadata must be a plain object`);
  }
  const root = resolve(dir);
  const modelJsonPath = join(root, MODEL_JSON);

  const save = async (artifacts: io.ModelArtifacts): Promise<io.SaveResult> => {
    if (artifacts.modelTopology instanceof ArrayBuffer) {
      throw new Error(`${FN}: ${modelJsonPath}: binary (GraphDef) topologies are not supported, only JSON`);
    }
    const weights = joinWeightData(artifacts.weightData);
    const userDefinedMetadata =
      artifacts.userDefinedMetadata || options.metadata
        ? ({ ...artifacts.userDefinedMetadata, ...options.metadata } as { [key: string]: {} })
        : undefined;
    const modelJson: io.ModelJSON = {
      modelTopology: artifacts.modelTopology ?? {},
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
    };
    if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
    if (artifacts.signature) modelJson.signature = artifacts.signature;
    if (userDefinedMetadata) modelJson.userDefinedMetadata = userDefinedMetadata;
    if (artifacts.modelInitializer) modelJson.modelInitializer = artifacts.modelInitializer;
    if (artifacts.initializerSignature) modelJson.initializerSignature = artifacts.initializerSignature;

    try {
      await mkdir(root, { recursive: true });
    } catch (error) {
      throw new Error(`${FN}: ${root}: cannot create the directory (${(error as Error).message})`);
    }
    // weights first: model.json is what readers open, so it must never point at missing weights
    await writeAtomically(join(root, WEIGHTS_BIN), weights);
    await writeAtomically(modelJsonPath, JSON.stringify(modelJson));
    return {
      modelArtifactsInfo: {
        dateSaved: new Date(),
        modelTopologyType: 'JSON',
        modelTopologyBytes: JSON.stringify(modelJson.modelTopology).length,
        weightSpecsBytes: JSON.stringify(modelJson.weightsManifest[0].weights).length,
        weightDataBytes: weights.byteLength,
      },
    };
  };

  const load = async (): Promise<io.ModelArtifacts> => {
    let text: string;
    try {
      text = await readFile(modelJsonPath, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') throw new Error(`${FN}: ${modelJsonPath}: model.json not found`);
      throw new Error(`${FN}: ${modelJsonPath}: cannot read (${(error as Error).message})`);
    }
    let modelJson: io.ModelJSON;
    try {
      modelJson = JSON.parse(text) as io.ModelJSON;
    } catch (error) {
      throw new Error(`${FN}: ${modelJsonPath}: not valid JSON (${(error as Error).message})`);
    }
    if (!isPlainObject(modelJson) || !isPlainObject(modelJson.modelTopology)) {
      throw new Error(`${FN}: ${modelJsonPath}: missing modelTopology (not a tfjs model.json)`);
    }
    const manifest = modelJson.weightsManifest ?? [];
    if (!Array.isArray(manifest) || !manifest.every((group) => isPlainObject(group) && Array.isArray(group.paths) && Array.isArray(group.weights))) {
      throw new Error(`${FN}: ${modelJsonPath}: weightsManifest must be a list of { paths, weights } groups`);
    }

    const weightSpecs: io.WeightsManifestEntry[] = [];
    const chunks: Uint8Array[] = [];
    for (const group of manifest) {
      const groupChunks: Uint8Array[] = [];
      const groupPaths: string[] = [];
      for (const relative of group.paths) {
        // a hostile model.json must not make us read files outside the model folder
        const path = resolve(root, normalize(String(relative)));
        if (isAbsolute(String(relative)) || !(path === root || path.startsWith(root + sep))) {
          throw new Error(`${FN}: ${modelJsonPath}: weights path '${relative}' points outside ${root}`);
        }
        try {
          groupChunks.push(await readFile(path));
        } catch (error) {
          if (errorCode(error) === 'ENOENT') throw new Error(`${FN}: ${path}: weights file not found (listed in model.json)`);
          throw new Error(`${FN}: ${path}: cannot read (${(error as Error).message})`);
        }
        groupPaths.push(path);
      }
      const expected = expectedByteLength(group.weights);
      const actual = groupChunks.reduce((total, chunk) => total + chunk.length, 0);
      if (expected !== undefined && expected !== actual) {
        throw new Error(
          `${FN}: ${groupPaths.join(', ')}: model.json lists ${expected} bytes of weights but the file${groupPaths.length > 1 ? 's hold' : ' holds'} ${actual}`,
        );
      }
      weightSpecs.push(...group.weights);
      chunks.push(...groupChunks);
    }
    const weightData = concatBytes(chunks);
    const artifacts: io.ModelArtifacts = {
      modelTopology: modelJson.modelTopology,
      weightSpecs,
      weightData: weightData.buffer as ArrayBuffer,
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      convertedBy: modelJson.convertedBy,
    };
    if (modelJson.trainingConfig) artifacts.trainingConfig = modelJson.trainingConfig;
    if (modelJson.userDefinedMetadata) artifacts.userDefinedMetadata = modelJson.userDefinedMetadata;
    if (modelJson.signature) artifacts.signature = modelJson.signature;
    if (modelJson.modelInitializer) artifacts.modelInitializer = modelJson.modelInitializer;
    if (modelJson.initializerSignature) artifacts.initializerSignature = modelJson.initializerSignature;
    return artifacts;
  };

  return { save, load };
}
