import '@tensorflow/tfjs-backend-cpu';
// tfjs-layers registers tfjs-core's gradients (a LayersModel always brings it in).
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';

/** Tests run on the cpu backend: deterministic and always available. */
export async function useCpu(): Promise<void> {
  // Silences tfjs's advice to install tfjs-node in test logs.
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
  await tf.ready();
}
