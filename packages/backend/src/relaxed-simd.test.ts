import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { detectRelaxedSimd, enableRelaxedSimd, RELAXED_MADD_PROBE, relaxedSimdAvailable } from './relaxed-simd';

const PACKAGE_DIR = join(__dirname, '..');
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
// Node 20.16 added process.getBuiltinModule, the only way this browser-safe module reaches node:v8.
const CAN_SET_FLAG = typeof process.getBuiltinModule === 'function';
// The project's lib has no WebAssembly typings (they come with the DOM lib).
const webAssembly = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

/** Runs src/testing/relaxed-simd-child.ts in a fresh node with the given V8 options. */
function runChild(nodeArgs: string[], env: Record<string, string> = {}) {
  const { outputFiles } = buildSync({
    entryPoints: [join(__dirname, 'testing', 'relaxed-simd-child.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  const child = spawnSync(process.execPath, [...nodeArgs, '--input-type=module'], {
    input: outputFiles[0]!.text,
    cwd: PACKAGE_DIR,
    env: { ...process.env, FRACTURE_BACKEND: '', FRACTURE_WASM_THREADS: '', NODE_OPTIONS: '', ...env },
    encoding: 'utf8',
    timeout: 90_000,
  });
  if (child.status !== 0) throw new Error(`relaxed-simd child failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as Record<string, unknown>;
}

describe('the relaxed SIMD probe', () => {
  test('is a well-formed module: with a SIMD128 instruction of the same arity in place of relaxed_madd it validates', () => {
    const at = RELAXED_MADD_PROBE.findIndex((b, i) => b === 0xfd && RELAXED_MADD_PROBE[i + 1] === 0x85 && RELAXED_MADD_PROBE[i + 2] === 0x02);
    expect(at).toBeGreaterThan(0);
    const control = RELAXED_MADD_PROBE.slice();
    control.set([0xfd, 0x52, 0x01], at); // v128.bitselect (three v128 in, one out), then nop to keep the sizes
    expect(webAssembly.validate(control)).toBe(true);
  });

  test('relaxedSimdAvailable agrees with detection in this process', () => {
    expect(relaxedSimdAvailable()).toBe(detectRelaxedSimd());
  });

  test('enableRelaxedSimd reports what validation says, and is stable across calls', () => {
    const first = enableRelaxedSimd();
    expect(first.available).toBe(detectRelaxedSimd());
    expect(first.detail).toMatch(first.available ? /^yes \(/ : /^no \(/);
    expect(enableRelaxedSimd()).toEqual(first);
    expect(relaxedSimdAvailable()).toBe(first.available);
  });
});

describe('relaxed SIMD in a fresh Node process', () => {
  test(`validation before and after enableRelaxedSimd matches Node ${process.versions.node}`, () => {
    const result = runChild([]);
    if (NODE_MAJOR >= 22) {
      // Shipped in V8 since Node 22: nothing to enable.
      expect(result).toEqual({
        before: true,
        status: { available: true, enabledBy: 'engine', detail: 'yes (the engine supports it)' },
        after: true,
        available: true,
      });
    } else if (NODE_MAJOR === 20 && CAN_SET_FLAG) {
      // Node 20's V8 implements relaxed SIMD behind --experimental-wasm-relaxed-simd, which can be set at run time.
      expect(result).toEqual({
        before: false,
        status: { available: true, enabledBy: 'flag', detail: 'yes (enabled by flag on Node 20)' },
        after: true,
        available: true,
      });
    } else {
      // Node 21, or Node 20 before 20.16: whatever the engine says, consistently.
      const status = result.status as { available: boolean };
      expect(result.after).toBe(status.available);
      expect(result.available).toBe(status.available);
    }
  });

  test('node started with --experimental-wasm-relaxed-simd validates before enabling, and needs no run-time flag', () => {
    const result = runChild(['--experimental-wasm-relaxed-simd']);
    expect(result).toEqual({
      before: true,
      status: { available: true, enabledBy: 'engine', detail: 'yes (the engine supports it)' },
      after: true,
      available: true,
    });
  });

  test('selectBackend reports relaxed SIMD in its result and reason; relaxedSimd: false leaves the flags alone', () => {
    const result = runChild([], { CHILD_MODE: 'select-without' });
    expect(result.after).toBe(result.before);
    expect(result.relaxedSimd).toBe(result.before);
    expect(result.reason).toContain(
      result.before ? 'relaxed SIMD: yes (the engine supports it)' : 'relaxed SIMD: no (not enabled: relaxedSimd: false)',
    );
  });

  test('selectBackend leaves the flags alone when wasm cannot be chosen (FRACTURE_BACKEND=cpu)', () => {
    const result = runChild([], { CHILD_MODE: 'select-forced-cpu' });
    expect(result.after).toBe(result.before);
    expect(result.relaxedSimd).toBe(result.before);
    expect(result.reason).toMatch(/^forced by FRACTURE_BACKEND=cpu: /);
  });
});
