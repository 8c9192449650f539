/**
 * Test helper run in a fresh `node` (relaxed-simd.test.ts), because V8's flags are per process and the jest worker's
 * may already be set by another test. Prints, as JSON, whether relaxed SIMD validates before and after
 * `enableRelaxedSimd`, or what `selectBackend` reports with `relaxedSimd: false` (CHILD_MODE=select-without) or
 * with FRACTURE_BACKEND=cpu (CHILD_MODE=select-forced-cpu).
 */
import { selectBackend } from '../select-backend';
import { detectRelaxedSimd, enableRelaxedSimd, relaxedSimdAvailable } from '../relaxed-simd';

async function main(): Promise<void> {
  const before = detectRelaxedSimd();
  const mode = process.env.CHILD_MODE;
  if (mode === 'select-without' || mode === 'select-forced-cpu') {
    const selection = await selectBackend(
      mode === 'select-without'
        ? { prefer: 'wasm', allowTensorflow: false, env: {}, relaxedSimd: false }
        : { env: { FRACTURE_BACKEND: 'cpu' } },
    );
    process.stdout.write(JSON.stringify({ before, relaxedSimd: selection.relaxedSimd, reason: selection.reason, after: detectRelaxedSimd() }));
    return;
  }
  const status = enableRelaxedSimd();
  process.stdout.write(JSON.stringify({ before, status, after: detectRelaxedSimd(), available: relaxedSimdAvailable() }));
}

main().catch((error: unknown) => {
  process.stderr.write(String(error instanceof Error ? error.stack : error));
  process.exitCode = 1;
});
