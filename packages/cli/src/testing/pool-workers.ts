import * as path from 'node:path';
import type { PredictionPoolOptions } from '../server-workers';

/** Pool options that run the worker from the TypeScript sources (see ts-worker.cjs). */
export function sourceWorker(target: 'server-worker' | 'testing/hanging-server-worker' = 'server-worker'): Pick<PredictionPoolOptions, 'workerEntry' | 'workerTarget'> {
  return {
    workerEntry: path.join(__dirname, 'ts-worker.cjs'),
    workerTarget: path.join(__dirname, '..', `${target}.ts`),
  };
}
