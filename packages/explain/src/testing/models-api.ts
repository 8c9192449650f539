import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * The part of `@fracture/models` the integration tests use, typed here
 * against the contract in docs/architecture.md and loaded with `require`, so
 * this package type-checks whatever the state of the models package's build,
 * and the tests skip with a reason (instead of failing to compile) while
 * those exports are missing.
 */
export interface ModelsApi {
  createModel(
    name: 'cnn' | 'resnet18' | 'efficientnet-b3' | 'mobilenetv2',
    options?: { numClasses?: number; inputSize?: number; channels?: 1 | 3; seed?: number },
  ): tfl.LayersModel;
  getModelSpec(name: string): { gradCamLayer: string; inputSize: number };
  readSafetensors(bytes: Uint8Array): Record<string, unknown>;
  loadStateDict(
    model: tfl.LayersModel,
    stateDict: Record<string, unknown>,
    options?: { source?: 'torchvision' | 'timm'; strict?: boolean },
  ): { missing: string[]; unexpected: string[] };
}

export function loadModelsApi(): ModelsApi | string {
  let api: Partial<ModelsApi>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    api = require('@fracture/models') as Partial<ModelsApi>;
  } catch (error) {
    return `@fracture/models cannot be loaded: ${(error as Error).message}`;
  }
  const needed = ['createModel', 'getModelSpec', 'readSafetensors', 'loadStateDict'] as const;
  const absent = needed.filter((name) => typeof api[name] !== 'function');
  return absent.length > 0 ? `@fracture/models does not export ${absent.join(', ')} yet` : (api as ModelsApi);
}
