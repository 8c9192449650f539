import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import './testing/backends';
import { selectBackend } from './select-backend';
import { detectRelaxedSimd } from './relaxed-simd';

const NODE_PACKAGES = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

// The real loader, except that tfjs-node is reported missing (with Node's own error) even where it is installed.
const withoutNode = (specifier: string): Promise<unknown> =>
  NODE_PACKAGES.includes(specifier)
    ? Promise.reject(Object.assign(new Error(`Cannot find package '${specifier}' imported from /app/index.js`), { code: 'ERR_MODULE_NOT_FOUND' }))
    : import(specifier);

afterEach(async () => {
  if (tf.findBackend('tensorflow') != null || tf.findBackendFactory('tensorflow') != null) tf.removeBackend('tensorflow');
  await tf.setBackend('cpu');
});

describe('selectBackend', () => {
  test('chooses wasm with SIMD and training kernels when the TensorFlow engines are absent', async () => {
    const chosen = await selectBackend({ env: {}, loadModule: withoutNode });
    expect(chosen.engine).toBe('wasm');
    expect(chosen.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(chosen.simd).toBe(true);
    expect(chosen.trainingKernels).toBe(true);
    expect(chosen.threads).toBeGreaterThanOrEqual(1);
    expect(chosen.tried.map((t) => t.engine)).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(chosen.tried[0]).toEqual({ engine: 'tensorflow-gpu', error: '@tensorflow/tfjs-node-gpu is not installed', notInstalled: true });
    expect(chosen.reason).toContain(
      'first engine that started (tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed; tensorflow: @tensorflow/tfjs-node is not installed)',
    );
    expect(chosen.reason).not.toMatch(/failed/);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  test('reports relaxed SIMD as this engine validates it, after enabling it where Node allows', async () => {
    const chosen = await selectBackend({ env: {}, loadModule: withoutNode, prefer: 'wasm' });
    expect(chosen.relaxedSimd).toBe(detectRelaxedSimd());
    const major = Number(process.versions.node.split('.')[0]);
    if (major >= 22) expect(chosen.reason).toContain('relaxed SIMD: yes (the engine supports it)');
    // Node 20 >= 20.16 reaches V8's flag through process.getBuiltinModule (unless the flag was set already: the
    // jest worker may have run relaxed-simd.test.ts first).
    else if (major === 20 && typeof process.getBuiltinModule === 'function') {
      expect(chosen.relaxedSimd).toBe(true);
      expect(chosen.reason).toMatch(/relaxed SIMD: yes \((enabled by flag on Node 20|the engine supports it)\)/);
    }
  });

  test('FRACTURE_BACKEND overrides the choice', async () => {
    const chosen = await selectBackend({ env: { FRACTURE_BACKEND: 'cpu' }, loadModule: withoutNode, prefer: 'wasm' });
    expect(chosen.engine).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(chosen.reason).toMatch(/forced by FRACTURE_BACKEND=cpu/);
    expect(chosen.tried).toEqual([]);
  });

  test('an unknown FRACTURE_BACKEND fails listing the valid names', async () => {
    await expect(selectBackend({ env: { FRACTURE_BACKEND: 'webgpu' } })).rejects.toThrow(
      "selectBackend: unknown backend 'webgpu' in FRACTURE_BACKEND; valid names are auto, tensorflow-gpu, tensorflow, wasm, cpu",
    );
  });

  test('a forced engine that cannot start is an error, not a silent fallback', async () => {
    await expect(
      selectBackend({ env: { FRACTURE_BACKEND: 'tensorflow' }, loadModule: withoutNode }),
    ).rejects.toThrow('FRACTURE_BACKEND=tensorflow could not start (tensorflow: @tensorflow/tfjs-node is not installed)');
  });

  test('an installed but broken tfjs-node is reported as failed, with its error', async () => {
    const broken = (specifier: string): Promise<unknown> =>
      specifier === '@tensorflow/tfjs-node'
        ? Promise.reject(Object.assign(new Error("Cannot find module 'libtensorflow.so.2'\nRequire stack: ..."), { code: 'MODULE_NOT_FOUND' }))
        : withoutNode(specifier);
    const chosen = await selectBackend({ env: {}, loadModule: broken });
    expect(chosen.tried[1]).toEqual({ engine: 'tensorflow', error: "Cannot find module 'libtensorflow.so.2'", notInstalled: false });
    expect(chosen.reason).toContain("tensorflow failed: Cannot find module 'libtensorflow.so.2'");
  });

  test('prefers an installed TensorFlow engine', async () => {
    // Stand-in for tfjs-node: loading it registers a backend named `tensorflow`, as the real package does.
    const fakeNode = (specifier: string): Promise<unknown> => {
      if (specifier === '@tensorflow/tfjs-node') {
        tf.registerBackend('tensorflow', () => new MathBackendCPU());
        return Promise.resolve({});
      }
      return withoutNode(specifier);
    };
    const chosen = await selectBackend({ env: {}, loadModule: fakeNode });
    expect(chosen.engine).toBe('tensorflow');
    expect(tf.getBackend()).toBe('tensorflow');
    expect(chosen.tried.map((t) => t.engine)).toEqual(['tensorflow-gpu']);
  });

  test('prefer and allowTensorflow shape the order', async () => {
    const preferred = await selectBackend({ env: {}, prefer: 'cpu', loadModule: withoutNode });
    expect(preferred.engine).toBe('cpu');
    expect(preferred.reason).toMatch(/^preferred by the caller/);
    const noTensorflow = await selectBackend({ env: {}, allowTensorflow: false, loadModule: withoutNode });
    expect(noTensorflow.engine).toBe('wasm');
    expect(noTensorflow.tried).toEqual([]);
    await expect(selectBackend({ env: {}, threads: 0 })).rejects.toThrow('selectBackend: threads must be a positive integer, got 0');
  });

  test('FRACTURE_WASM_THREADS must be a positive integer', async () => {
    for (const bad of ['two', '0', '-1', '1.5', '2x']) {
      await expect(selectBackend({ env: { FRACTURE_WASM_THREADS: bad }, loadModule: withoutNode })).rejects.toThrow(
        `selectBackend: FRACTURE_WASM_THREADS must be a positive integer, got '${bad}'`,
      );
    }
  });

  test('FRACTURE_WASM_THREADS wins over options.threads; a request the running backend cannot honour is reported', async () => {
    // wasm already runs single-threaded in this file (first test), and tfjs starts a backend once per process.
    const chosen = await selectBackend({ env: { FRACTURE_WASM_THREADS: ' 3 ' }, threads: 1, allowTensorflow: false });
    expect(chosen.threads).toBe(1);
    expect(chosen.reason).toMatch(/; 3 threads requested, but the wasm backend was already running in this process with 1$/);
  });
});
