import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { barImages } from '../test/pattern-data';
import { useCpu } from '../test/setup-backend';
import { tinyConvNet, weightValues } from '../test/tiny-model';
import { explainKernelError, probeTrainingKernels, selectTrainingBackend } from './backend-select';
import { tensorBatchSource } from './tensor-batch-source';
import { train } from './train';

beforeAll(useCpu);

describe('backend selection and kernel checks', () => {
  test("explains tfjs's missing-kernel and missing-gradient errors", () => {
    const wasm = explainKernelError(new Error("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"), 'wasm');
    expect(wasm!.message).toBe(
      "train: the 'wasm' backend lacks kernel 'Conv2DBackpropFilter' needed for training; call registerWasmTrainingKernels() from @fracture/backend, or use backend 'cpu'",
    );
    const gradient = explainKernelError(new Error('Cannot compute gradient: gradient function not found for Foo.'), 'cpu');
    expect(gradient!.message).toContain("tfjs has no gradient for operation 'Foo'");
    expect(explainKernelError(new Error('something else'), 'cpu')).toBeNull();
  });

  test("'current' keeps the active backend", async () => {
    expect(await selectTrainingBackend('current')).toEqual({ name: 'cpu', reason: 'kept the current backend' });
  });

  describe('on a backend without Conv2DBackpropFilter', () => {
    beforeAll(async () => {
      // IS_TEST makes tfjs flag data moved between backends as a kernel memory leak.
      tf.env().set('IS_TEST', false);
      tf.registerBackend('no-conv-grad', () => new MathBackendCPU());
      for (const kernel of tf.getKernelsForBackend('cpu')) {
        if (kernel.kernelName !== 'Conv2DBackpropFilter') tf.registerKernel({ ...kernel, backendName: 'no-conv-grad' });
      }
    });
    afterAll(async () => {
      await tf.setBackend('cpu');
      tf.removeBackend('no-conv-grad');
      tf.env().set('IS_TEST', true);
    });

    test('the probe fails with a clear message and leaves the model untouched', async () => {
      const model = tinyConvNet();
      const before = weightValues(model);
      await tf.setBackend('no-conv-grad');
      expect(() => probeTrainingKernels(model, 'no-conv-grad')).toThrow(
        "train: the 'no-conv-grad' backend lacks kernel 'Conv2DBackpropFilter' needed for training; use backend 'cpu'",
      );
      expect(weightValues(model)).toEqual(before);
      await tf.setBackend('cpu');
    });

    test('train reports it before training starts', async () => {
      const model = tinyConvNet();
      const { xs, ys } = barImages(4, 8, 3);
      await tf.setBackend('no-conv-grad');
      await expect(
        train(model, tensorBatchSource(xs, ys, { batchSize: 4 }), { epochs: 1, backend: 'current', quiet: true }),
      ).rejects.toThrow("train: the 'no-conv-grad' backend lacks kernel 'Conv2DBackpropFilter'");
      await tf.setBackend('cpu');
      tf.dispose([xs, ys]);
    });
  });
});
