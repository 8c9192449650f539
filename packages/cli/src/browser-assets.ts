import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Predictor } from './predictor';
import type { PredictionPool } from './server-workers';
import type { PageModelInfo } from './page-app-types';

export interface BrowserAsset {
  type: string;
  body: Uint8Array | string;
}

// The three builds tfjs-backend-wasm chooses from (plain, SIMD, threaded SIMD); nothing else is served.
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/**
 * What the page needs to run the model in the browser: the page bundle (built by tsup into dist/web), tfjs's
 * wasm binaries from the installed @tensorflow/tfjs-backend-wasm, and the model and its preparation: serialised
 * from memory for a predictor, read from the model folder for a worker pool (whose models live in the workers).
 * Read on first request, then kept.
 */
export function browserAssets(predictor: Predictor | PredictionPool): { has(pathname: string): boolean; get(pathname: string): Promise<BrowserAsset> } {
  const require = createRequire(__filename);
  const cache = new Map<string, Promise<BrowserAsset>>();
  const wasmDir = () => path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm'));
  let model: Promise<{ json: string; weights: Uint8Array }> | undefined;
  const files = () => (model ??= 'model' in predictor ? modelFiles(predictor) : modelFolderFiles(predictor.modelDir));
  const sources: Record<string, () => Promise<BrowserAsset>> = {
    // __dirname is src/ under the tests and dist/ when installed: both sit beside dist/web.
    '/app.js': async () => ({ type: 'text/javascript; charset=utf-8', body: await fs.readFile(path.join(__dirname, '..', 'dist', 'web', 'page-app.js')) }),
    '/model/info.json': async () => ({ type: 'application/json; charset=utf-8', body: JSON.stringify(pageInfo(predictor)) }),
    '/model/model.json': async () => ({ type: 'application/json; charset=utf-8', body: (await files()).json }),
    '/model/weights.bin': async () => ({ type: 'application/octet-stream', body: (await files()).weights }),
    ...Object.fromEntries(
      WASM_FILES.map((file) => [`/wasm/${file}`, async () => ({ type: 'application/wasm', body: await fs.readFile(path.join(wasmDir(), file)) })]),
    ),
  };
  return {
    has: (pathname) => Object.hasOwn(sources, pathname),
    get(pathname) {
      let asset = cache.get(pathname);
      if (!asset) {
        asset = sources[pathname]!();
        // A failed read (no page bundle in an unbuilt checkout) is retried next time rather than cached.
        asset.catch(() => cache.delete(pathname));
        cache.set(pathname, asset);
      }
      return asset;
    },
  };
}

function pageInfo(predictor: Predictor | PredictionPool): PageModelInfo {
  const { modelName, inputSize, channels, mean, std, classNames, gradCamLayer, positiveClass, threshold } = predictor.info;
  return { modelName, inputSize, channels, mean, std, classNames, gradCamLayer, positiveClass, ...(threshold === undefined ? {} : { threshold }) };
}

/** A saved model folder as one model.json naming one weights.bin (its weight files joined in manifest order). */
async function modelFolderFiles(dir: string): Promise<{ json: string; weights: Uint8Array }> {
  const manifest = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[]; weights: unknown[] }[] };
  const parts = await Promise.all(manifest.weightsManifest.flatMap((group) => group.paths).map((file) => fs.readFile(path.join(dir, file))));
  const weights = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    weights.set(part, offset);
    offset += part.length;
  }
  const json = JSON.stringify({ ...manifest, weightsManifest: [{ paths: ['weights.bin'], weights: manifest.weightsManifest.flatMap((group) => group.weights) }] });
  return { json, weights };
}

/** The in-memory model as the files `tf.loadLayersModel(url)` reads: model.json naming one weights.bin. */
async function modelFiles(predictor: Predictor): Promise<{ json: string; weights: Uint8Array }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await predictor.model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const data = artifacts!.weightData;
  const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
  const weights = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const buffer of buffers) {
    weights.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  const json = JSON.stringify({
    modelTopology: artifacts!.modelTopology,
    format: 'layers-model',
    generatedBy: artifacts!.generatedBy,
    convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts!.weightSpecs }],
  });
  return { json, weights };
}
