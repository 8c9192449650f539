// Bundles the page for the browser into dist/ and copies tfjs's wasm binaries beside it, so the app serves
// everything itself. `node build.mjs` is all a static host needs.
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export async function build(outdir = join(here, 'dist')) {
  await esbuild.build({
    entryPoints: [join(here, 'page.js')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    outdir,
    logLevel: 'warning',
  });
  const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm'));
  await mkdir(join(outdir, 'wasm'), { recursive: true });
  for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    await copyFile(join(wasmDist, file), join(outdir, 'wasm', file));
  }
  return outdir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build();
