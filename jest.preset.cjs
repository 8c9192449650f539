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
    '^@fracture/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    // Subpath entries (`@fracture/pretrained/node`) are `src/<subpath>.ts`.
    '^@fracture/([a-z-]+)/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/$2.ts'),
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // Generous: CI runs every package's suite on 2 shared cores; speed is measured in benchmarks, not here.
  testTimeout: 120_000,
};
