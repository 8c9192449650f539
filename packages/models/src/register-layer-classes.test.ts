import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createModel } from './create-model';
import { registerLayerClasses } from './register-layer-classes';

describe('registerLayerClasses', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  test("lets tfjs's own loader rebuild a registry model (as tf.loadLayersModel(url) does in a browser)", async () => {
    const model = createModel('mobilenetv2', { inputSize: 32, seed: 3 });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    registerLayerClasses();
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
  });
});
