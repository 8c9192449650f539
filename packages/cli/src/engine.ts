import * as tf from '@tensorflow/tfjs-core';
import { selectTrainingBackend } from '@fracture/train';
import type { TrainBackend, TrainingBackend } from '@fracture/train';

/**
 * Makes sure a compute engine is active before a workflow creates tensors. `auto` keeps an engine the
 * caller already activated (a library user's choice wins) and otherwise picks the fastest available;
 * an explicit choice always switches to it.
 */
export async function useEngine(choice: TrainBackend = 'auto'): Promise<TrainingBackend> {
  const active = tf.engine().backendName;
  if (choice === 'auto' && active) return { name: active, reason: 'kept the engine already in use' };
  return selectTrainingBackend(choice);
}
