// Shared jest settings: TypeScript through @swc/jest, node environment, and
// @fracture/* imports resolved to sibling sources so tests never need a build.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  moduleNameMapper: {
    // A package with Node-only parts has a node entry (what Node resolves the package to), else just its index.
    '^@fracture/([a-z-]+)$': [path.join(__dirname, 'packages/$1/src/node.ts'), path.join(__dirname, 'packages/$1/src/index.ts')],
    '^@fracture/([a-z-]+)/node$': path.join(__dirname, 'packages/$1/src/node.ts'),
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // Generous: CI runs every package's suite on 2 shared cores; speed is measured in benchmarks, not here.
  testTimeout: 120_000,
};
