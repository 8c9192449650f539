import { defineConfig } from 'tsup';

export default defineConfig({
  // `node` holds the file-system loader, so that the main entry bundles for a browser.
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: false,
  // `__dirname` in the ESM build (the node entry finds the shipped models beside dist/).
  shims: true,
});
