// `npm run bench:models`: bundles the TypeScript benchmark with esbuild and runs it. It uses
// packages/backend's backend selection when that package's sources exist (models must not depend on
// it), else plain tfjs wasm / cpu. Arguments are passed through (see bench/models-bench.ts).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const script = process.argv[2] ?? 'models';
const entries = {
  models: existsSync(join(here, '..', '..', 'backend', 'src', 'index.ts')) ? 'entry-fracture.ts' : 'entry-plain.ts',
  xray: 'xray-features.ts',
};
const entry = entries[script];
if (!entry) throw new Error(`bench/run.mjs: unknown benchmark '${script}', expected ${Object.keys(entries).join(' or ')}`);
const outfile = join(here, '.out', `${script}.mjs`);
await build({
  entryPoints: [join(here, entry)],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile,
  logLevel: 'warning',
});
process.argv.splice(2, 1);
await import(pathToFileURL(outfile).href);
