import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts', 'src/bin.ts', 'src/server-worker.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    // __dirname in the ESM build too: the server finds the page bundle and its worker entry beside its own file.
    shims: true,
  },
  {
    // What `fracture serve`'s page runs in the browser: one self-contained file, TensorFlow.js included.
    entry: { 'web/page-app': 'src/page-app.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2020',
    noExternal: [/.*/],
    dts: false,
    sourcemap: false,
    clean: false,
    splitting: false,
    minify: true,
  },
]);
