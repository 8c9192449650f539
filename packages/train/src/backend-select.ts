import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { TrainBackend } from './types';

/** The backend training runs on and why it was chosen. */
export interface TrainingBackend {
  name: string;
  reason: string;
}

/** The part of @fracture/backend used here, declared structurally so any build of it type-checks. */
interface BackendPackage {
  selectBackend(options?: { prefer?: string }): Promise<{ name: string; reason: string; tried?: { engine: string; error: string }[] }>;
}

const FALLBACK_ORDER = ['tensorflow', 'wasm', 'cpu'] as const;

/**
 * Chooses the backend: `@fracture/backend`'s `selectBackend` (tfjs-node-gpu,
 * tfjs-node, wasm with threads, SIMD and its training kernels, cpu;
 * `FRACTURE_BACKEND` overrides everything), or, if that package cannot load,
 * the first registered of tensorflow, wasm, cpu. A forced choice that cannot
 * start is an error, not a silent fallback. `'current'` keeps tfjs's backend.
 */
export async function selectTrainingBackend(choice: TrainBackend = 'auto'): Promise<TrainingBackend> {
  if (choice === 'current') {
    await tf.ready();
    return { name: tf.getBackend(), reason: 'kept the current backend' };
  }
  const backendPackage = await loadBackendPackage();
  if (backendPackage) {
    const selected = await backendPackage.selectBackend(choice === 'auto' ? {} : { prefer: choice });
    const expected = choice === 'tensorflow-gpu' ? 'tensorflow' : choice;
    if (choice !== 'auto' && !process.env.FRACTURE_BACKEND && selected.name !== expected) {
      const why = (selected.tried ?? []).map((t) => `${t.engine}: ${t.error}`).join('; ');
      throw new Error(`train: backend '${choice}' could not start${why ? ` (${why})` : ''}; '${selected.name}' is available`);
    }
    return { name: selected.name, reason: selected.reason };
  }
  const forced = choice === 'auto' ? process.env.FRACTURE_BACKEND : choice === 'tensorflow-gpu' ? 'tensorflow' : choice;
  const candidates = forced ? [forced] : FALLBACK_ORDER;
  for (const name of candidates) {
    if (tf.findBackendFactory(name) && (await tf.setBackend(name))) {
      return { name, reason: forced ? `forced '${forced}'` : 'first registered backend in the order tensorflow, wasm, cpu' };
    }
  }
  throw new Error(
    `train: backend '${forced ?? 'auto'}' is not available; install @tensorflow/tfjs-node, or import @tensorflow/tfjs-backend-wasm or @tensorflow/tfjs-backend-cpu`,
  );
}

async function loadBackendPackage(): Promise<BackendPackage | null> {
  try {
    const loaded = (await import('@fracture/backend')) as unknown as Partial<BackendPackage>;
    return typeof loaded.selectBackend === 'function' ? (loaded as BackendPackage) : null;
  } catch {
    return null;
  }
}

/**
 * Turns tfjs's errors about missing kernels or gradients into messages that
 * say what to do; returns null for other errors.
 */
export function explainKernelError(error: unknown, backend: string): Error | null {
  const message = error instanceof Error ? error.message : String(error);
  const kernel = /Kernel '([^']+)' not registered for backend '([^']+)'/.exec(message);
  if (kernel) {
    const remedy =
      kernel[2] === 'wasm'
        ? "call registerWasmTrainingKernels() from @fracture/backend, or use backend 'cpu'"
        : "use backend 'cpu'";
    return new Error(`train: the '${kernel[2]}' backend lacks kernel '${kernel[1]}' needed for training; ${remedy}`);
  }
  const gradient = /gradient function not found for ([A-Za-z0-9_]+)/.exec(message);
  if (gradient) {
    return new Error(`train: tfjs has no gradient for operation '${gradient[1]}' (backend '${backend}'); this model cannot be trained as is`);
  }
  return null;
}

/**
 * Runs one forward and backward pass on a batch of two zero images so that a
 * backend lacking a training kernel fails before anything is trained or saved,
 * with a clear message. Batch-norm moving statistics are restored afterwards,
 * so the probe leaves the model exactly as it found it.
 */
export function probeTrainingKernels(model: LayersModel, backend: string): void {
  const inputShape = model.inputs[0]!.shape.map((d, i) => (i === 0 ? 2 : (d ?? 8)));
  const saved = tf.tidy(() => model.nonTrainableWeights.map((w) => tf.keep(tf.clone(w.read()))));
  try {
    tf.tidy(() => {
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const x = tf.zeros(inputShape);
      const { value, grads } = tf.variableGrads(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, variables);
      tf.dispose([value, grads]);
    });
  } catch (error) {
    throw explainKernelError(error, backend) ?? error;
  } finally {
    model.nonTrainableWeights.forEach((w, i) => w.write(saved[i]!));
    tf.dispose(saved);
  }
}
