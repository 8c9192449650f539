import type * as tfl from '@tensorflow/tfjs-layers';

export type ModelFactory = (name: string, inputSize: number) => tfl.LayersModel;

/**
 * @fracture/models, loaded at run time: the backend package must not depend on it, and the benchmark runs the
 * models only when that package has been built.
 */
export async function loadModelFactory(): Promise<ModelFactory | null> {
  try {
    const specifier = '@fracture/models';
    const models = (await import(specifier)) as {
      createModel?: (name: string, options: { inputSize?: number }) => tfl.LayersModel;
    };
    if (typeof models.createModel !== 'function') return null;
    return (name, inputSize) => models.createModel!(name, { inputSize });
  } catch {
    return null;
  }
}
