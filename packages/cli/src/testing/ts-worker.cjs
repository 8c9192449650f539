// Test-only worker entry: runs a TypeScript worker module from the sources, as jest does for the tests
// themselves (swc, and @fracture/* mapped to the sibling packages' sources), so tests need no build.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { workerData } = require('node:worker_threads');
const { transformSync } = require('@swc/core');

const packagesDir = path.join(__dirname, '..', '..', '..');
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  // As Node resolves a package with a `node` export condition: its node entry when it has one, else its index.
  const match = /^@fracture\/([a-z-]+)(\/node)?$/.exec(request);
  if (match) {
    const nodeEntry = path.join(packagesDir, match[1], 'src', 'node.ts');
    return fs.existsSync(nodeEntry) ? nodeEntry : path.join(packagesDir, match[1], 'src', 'index.ts');
  }
  return resolve.call(this, request, parent, ...rest);
};
require(workerData.target);
