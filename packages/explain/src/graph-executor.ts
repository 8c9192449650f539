import type * as tf from '@tensorflow/tfjs-core';
import { LayersModel, type SymbolicTensor, type layers } from '@tensorflow/tfjs-layers';

type Layer = layers.Layer;
type GraphNode = Layer['inboundNodes'][number];

/**
 * Replaces (or observes) the output of one layer while the graph runs: it
 * receives the tensor the layer computed and returns the tensor the rest of
 * the graph should see.
 */
export type LayerIntercept = (computed: tf.Tensor) => tf.Tensor;

/** What one run of the graph leaves behind, so a second run can reuse it. */
export interface GraphRun {
  outputs: tf.Tensor[];
  /** Every intermediate tensor, by symbolic-tensor id. Owned by the caller's tidy scope. */
  values: Map<number, tf.Tensor>;
}

/** True when `target` is `container` itself or one of its (possibly nested) layers. */
export function containsLayer(container: Layer, target: Layer): boolean {
  if (container === target) return true;
  if (!(container instanceof LayersModel)) return false;
  return container.layers.some((inner) => containsLayer(inner, target));
}

/**
 * Runs a tfjs-layers graph (any functional DAG, Sequential, or nested
 * models) node by node on concrete tensors, in inference mode, calling
 * `intercept` on the output of `target`.
 *
 * Why not `model.predict`: Grad-CAM needs d(score)/d(activation) at an
 * inner layer. Splitting the graph into "before" and "after" sub-models is
 * wrong as soon as a skip connection crosses the split, whereas re-running
 * the graph with the target's output replaced by a tensor we differentiate
 * against is exact for any DAG: tensors that do not depend on the target
 * are constants of the second run.
 *
 * When `reuse` holds the values of an earlier run on the same input, nodes
 * that do not depend on the target's output are taken from it instead of
 * being recomputed.
 */
export function runGraph(
  model: LayersModel,
  inputs: tf.Tensor[],
  target: Layer | null,
  intercept: LayerIntercept | null,
  reuse?: Map<number, tf.Tensor>,
): GraphRun {
  if (inputs.length !== model.inputs.length) {
    throw new Error(`runGraph: model ${model.name} takes ${model.inputs.length} inputs, got ${inputs.length}`);
  }
  const values = new Map<number, tf.Tensor>();
  // Whether a value depends on the intercepted output; only those are recomputed when reusing.
  const tainted = new Set<number>();
  model.inputs.forEach((symbolic, i) => values.set(symbolic.id, inputs[i]!));

  let targetSeen = false;
  const evaluate = (symbolic: SymbolicTensor): tf.Tensor => {
    const known = values.get(symbolic.id);
    if (known !== undefined) return known;
    const node: GraphNode | undefined = symbolic.sourceLayer.inboundNodes[symbolic.nodeIndex];
    if (node === undefined) {
      throw new Error(`runGraph: ${symbolic.name} has no producing node in model ${model.name}`);
    }
    // Iterative inputs first would be nicer for very deep graphs; the recursion depth is the
    // graph depth (a few hundred at most for EfficientNet-B3), well within the stack.
    const nodeInputs = node.inputTensors.map(evaluate);
    const layer = node.outboundLayer;
    const dependsOnTarget = node.inputTensors.some((t) => tainted.has(t.id));
    const holdsTarget = target !== null && containsLayer(layer, target);

    let outputs: tf.Tensor[];
    if (reuse !== undefined && !dependsOnTarget && !holdsTarget) {
      outputs = node.outputTensors.map((t) => {
        const cached = reuse.get(t.id);
        if (cached === undefined) throw new Error(`runGraph: no reusable value for ${t.name}`);
        return cached;
      });
    } else if (holdsTarget && layer !== target) {
      // The target sits inside a nested model: run that model node by node as well.
      outputs = runGraph(layer as LayersModel, nodeInputs, target, intercept).outputs;
    } else {
      // Masks are for sequence layers; image graphs never carry one, and a stale symbolic mask would break apply.
      const { mask: _mask, ...callArgs } = (node.callArgs ?? {}) as Record<string, unknown>;
      const kwargs = { ...callArgs, training: false };
      const applied = layer.apply(nodeInputs.length === 1 ? nodeInputs[0]! : nodeInputs, kwargs);
      outputs = (Array.isArray(applied) ? applied : [applied]) as tf.Tensor[];
      if (layer === target) {
        if (targetSeen) {
          throw new Error(
            `runGraph: layer ${target.name} is called more than once in model ${model.name}; its output is ambiguous`,
          );
        }
        targetSeen = true;
        if (intercept !== null) outputs = [intercept(outputs[0]!), ...outputs.slice(1)];
      }
    }
    node.outputTensors.forEach((t, i) => {
      values.set(t.id, outputs[i]!);
      if (dependsOnTarget || holdsTarget) tainted.add(t.id);
    });
    return values.get(symbolic.id)!;
  };

  const outputs = model.outputs.map(evaluate);
  return { outputs, values };
}
