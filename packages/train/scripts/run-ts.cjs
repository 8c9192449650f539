// Runs a TypeScript file in a plain node process (no build): compiles .ts on
// require with @swc/core and maps @fracture/* to the packages' sources, as the
// jest preset does. Usage: node run-ts.cjs <file.ts> [args...]
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const packagesDir = path.resolve(__dirname, '../..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolve(request, ...rest) {
  const match = /^@fracture\/([a-z-]+)$/.exec(request);
  if (match) return path.join(packagesDir, match[1], 'src', 'index.ts');
  return resolveFilename.call(this, request, ...rest);
};
require.extensions['.ts'] = function compile(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
require(path.resolve(process.argv[2]));
