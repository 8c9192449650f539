import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SeedSequence } from './torch-init';
import { torchConv2d } from './torch-layers';

function convModel(stride: number, padding: number, kernelSize: number): tfl.LayersModel {
  const input = tfl.input({ shape: [4, 4, 1] });
  const output = torchConv2d(
    input,
    {
      name: 'conv',
      inChannels: 1,
      outChannels: 1,
      kernelSize,
      stride,
      padding,
      kernelInitializer: tfl.initializers.ones(),
    },
    new SeedSequence(0),
  );
  return tfl.model({ inputs: input, outputs: output });
}

describe('torchConv2d', () => {
  test('stride 2, padding 1 pads symmetrically like nn.Conv2d (TF "same" would pad bottom/right only)', () => {
    const model = convModel(2, 1, 3);
    expect(model.layers.map((l) => l.name)).toContain('conv_pad');
    const before = tf.memory().numTensors;
    const x = tf.ones([1, 4, 4, 1]);
    const y = model.predict(x) as tf.Tensor;
    // Window sums of a 3x3 box over a zero-padded 4x4 block of ones at rows/cols {-1..1, 1..3}:
    // PyTorch gives [[4, 6], [6, 9]]; TF 'same' (pad 0 top, 1 bottom) would give [[9, 6], [6, 4]].
    expect(Array.from(y.dataSync())).toEqual([4, 6, 6, 9]);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  test('stride 1 with padding (k-1)/2 keeps the size and pads symmetrically', () => {
    const model = convModel(1, 1, 3);
    expect(model.layers.map((l) => l.name)).not.toContain('conv_pad');
    const x = tf.ones([1, 4, 4, 1]);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 4, 4, 1]);
    // Corners see 4 ones, edges 6, the inside 9.
    expect(Array.from(y.dataSync())).toEqual([4, 6, 6, 4, 6, 9, 9, 6, 6, 9, 9, 6, 4, 6, 6, 4]);
    tf.dispose([x, y]);
    model.dispose();
  });

  test('rejects grouped convs that are not depthwise', () => {
    const input = tfl.input({ shape: [4, 4, 4] });
    expect(() =>
      torchConv2d(input, { name: 'g', inChannels: 4, outChannels: 8, kernelSize: 3, groups: 2 }, new SeedSequence(0)),
    ).toThrow('torchConv2d: g: only depthwise grouping is supported');
  });
});
