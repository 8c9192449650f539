import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: false,
  // The threaded wasm start resolves tfjs-backend-wasm's files from import.meta.url, which the CommonJS build lacks.
  shims: true,
});
