import type { RelaxedSimdStatus } from './types';

/**
 * A minimal module that uses relaxed SIMD: one function `(v128, v128, v128) -> v128` returning
 * `f32x4.relaxed_madd(a, b, c)`. Hand-assembled so that detection needs no toolchain and no file; an engine
 * without relaxed SIMD rejects the opcode, so `WebAssembly.validate` answers the question without compiling code.
 */
export const RELAXED_MADD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, // magic "\0asm"
  0x01, 0x00, 0x00, 0x00, // binary format version 1
  0x01, 0x08, // type section, 8 bytes
  0x01, // one type
  0x60, 0x03, 0x7b, 0x7b, 0x7b, // func, 3 params: v128 v128 v128
  0x01, 0x7b, // 1 result: v128
  0x03, 0x02, // function section, 2 bytes
  0x01, 0x00, // one function, of type 0
  0x0a, 0x0d, // code section, 13 bytes
  0x01, // one body
  0x0b, // body size 11
  0x00, // no locals
  0x20, 0x00, 0x20, 0x01, 0x20, 0x02, // local.get 0, local.get 1, local.get 2
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd: SIMD prefix 0xfd, opcode 0x105 as LEB128
  0x0b, // end
]);

const V8_FLAG = '--experimental-wasm-relaxed-simd';

interface V8Module {
  setFlagsFromString(flags: string): void;
}

/** `process` of Node (or an engine that mimics it), read through `globalThis` so browsers never see a reference. */
interface NodeProcessLike {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

function nodeProcess(): NodeProcessLike | undefined {
  const candidate = (globalThis as { process?: NodeProcessLike }).process;
  return typeof candidate?.versions?.node === 'string' ? candidate : undefined;
}

// The project's lib has no WebAssembly typings (they come with the DOM lib); only what is used here.
interface WebAssemblyValidate {
  validate?: (bytes: Uint8Array) => boolean;
}

/** True when this engine compiles `f32x4.relaxed_madd` right now (validation only: nothing is compiled or run). */
export function detectRelaxedSimd(): boolean {
  const webAssembly = (globalThis as { WebAssembly?: WebAssemblyValidate }).WebAssembly;
  if (typeof webAssembly?.validate !== 'function') return false;
  try {
    return webAssembly.validate(RELAXED_MADD_PROBE);
  } catch {
    // An engine that throws on an unknown opcode instead of answering false has no relaxed SIMD either.
    return false;
  }
}

let outcome: RelaxedSimdStatus | undefined;

/**
 * Makes relaxed SIMD available where the engine can run it: when validation fails on Node, sets V8's
 * `--experimental-wasm-relaxed-simd` at run time (Node 20's V8 implements it behind that flag; Node 22 ships it on)
 * and validates again, so the answer is always the engine's, never an assumption about a version. Must run before
 * any module that needs relaxed SIMD compiles: a module is validated once, when compiled. Browsers and engines
 * without V8's flag API get the plain detection. A positive outcome is remembered (the flag cannot be unset); a
 * negative one is checked again on the next call, which costs one validation.
 */
export function enableRelaxedSimd(): RelaxedSimdStatus {
  if (outcome?.available) return outcome;
  if (detectRelaxedSimd()) {
    outcome = { available: true, enabledBy: 'engine', detail: 'yes (the engine supports it)' };
    return outcome;
  }
  const node = nodeProcess();
  if (node === undefined) {
    outcome = { available: false, enabledBy: null, detail: 'no (the engine does not support it)' };
    return outcome;
  }
  const major = node.versions!.node!.split('.')[0];
  // process.getBuiltinModule (Node >= 20.16) reaches node:v8 synchronously without a static import, which would
  // make this module unloadable in a browser bundle; older Node cannot set the flag from here.
  const v8 = node.getBuiltinModule?.('node:v8') as V8Module | undefined;
  if (v8 === undefined || typeof v8.setFlagsFromString !== 'function') {
    outcome = {
      available: false,
      enabledBy: null,
      detail: `no (the engine does not support it by default, and Node ${node.versions!.node} cannot set ${V8_FLAG} at run time; start node with ${V8_FLAG})`,
    };
    return outcome;
  }
  try {
    v8.setFlagsFromString(V8_FLAG);
  } catch {
    // An unknown flag is ignored by V8 rather than thrown, but an embedder may refuse: the re-validation decides.
  }
  outcome = detectRelaxedSimd()
    ? { available: true, enabledBy: 'flag', detail: `yes (enabled by flag on Node ${major})` }
    : { available: false, enabledBy: null, detail: 'no (the engine does not support it)' };
  return outcome;
}

/**
 * Whether a kernel module may instantiate its relaxed-SIMD build now. Kernel modules ask this when they compile
 * (after `selectBackend`, which calls `enableRelaxedSimd` before the wasm backend starts) and fall back to their
 * SIMD128 build on false. It validates rather than reading `enableRelaxedSimd`'s outcome, so it is also right
 * when node was started with the flag or something else enabled it.
 */
export function relaxedSimdAvailable(): boolean {
  return outcome?.available === true || detectRelaxedSimd();
}
