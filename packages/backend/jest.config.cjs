const preset = require('../../jest.preset.cjs');

// The parity tests (wasm against cpu) run twice: on the single-threaded SIMD build, and on the threaded build with
// 2 threads (the second project), so the training kernels and the heap guard are checked on both with one copy of
// the test code.
const PARITY_TESTS = [
  '<rootDir>/src/kernels/*.test.ts',
  '<rootDir>/src/register-wasm-training-kernels.test.ts',
  '<rootDir>/src/accumulate-gradients.test.ts',
  '<rootDir>/src/wasm-heap-guard.test.ts',
];

module.exports = {
  projects: [
    { ...preset, rootDir: __dirname, displayName: 'backend' },
    {
      ...preset,
      rootDir: __dirname,
      displayName: 'backend (wasm, 2 threads)',
      testMatch: PARITY_TESTS,
      setupFilesAfterEnv: ['<rootDir>/src/testing/threaded-wasm-setup.ts'],
    },
  ],
};
