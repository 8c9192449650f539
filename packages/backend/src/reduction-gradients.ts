import { backend_util, broadcastTo, div, getGradient, registerGradient, reshape, util } from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/*
 * tfjs's gradients of Sum and Mean multiply dy by `ones(x.shape)`: a tensor of ones the size of the input, filled
 * in JavaScript and copied to the backend on every call. Training the study's models reaches Mean for every batch
 * norm (twice, through tf.moments), for global average pooling and for each squeeze-and-excitation block; on wasm
 * those fills took about 0.6 s of a 2.7 s MobileNetV2 step, outside any kernel. Broadcasting dy (over n for Mean)
 * to the input's shape gives the same values (dy · 1 is dy exactly) in one pass. Gradients are registered for
 * every backend.
 */
function broadcastReductionGradient(kernelName: 'Sum' | 'Mean'): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [x] = saved as [Tensor];
      const { axis } = attrs as unknown as { axis: number | number[] };
      const axes = util.parseAxisParam(axis, x.shape);
      const derX = () => {
        const expanded = reshape(dy as Tensor, x.shape.map((size, d) => (axes.includes(d) ? 1 : size)));
        if (kernelName === 'Sum') return broadcastTo(expanded, x.shape);
        const [, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
        return broadcastTo(div(expanded, util.sizeFromShape(reduceShape)), x.shape);
      };
      return { x: derX };
    },
  };
}

const GRADIENTS = [broadcastReductionGradient('Sum'), broadcastReductionGradient('Mean')];

/** Replaces tfjs's Sum and Mean gradients with the broadcasting ones above (idempotent). */
export function registerBroadcastReductionGradients(): void {
  for (const gradient of GRADIENTS) {
    if (getGradient(gradient.kernelName) !== gradient) registerGradient(gradient);
  }
}
