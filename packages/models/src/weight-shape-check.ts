import type { io } from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';

/**
 * The weights whose manifest shape differs from what the architecture in the same `model.json` expects, as
 * `'name' is [a,b] in the weights manifest, the architecture expects [b,a]`. tfjs itself only says
 * `Shape mismatch: [84,2] vs. [2,84]`, which does not say which of hundreds of weights is wrong.
 * Builds the architecture without weights (its own initial values), so it is meant for the error path only.
 */
export async function describeWeightShapeMismatches(artifacts: io.ModelArtifacts): Promise<string[]> {
  if (!artifacts.modelTopology || !artifacts.weightSpecs) return [];
  const bare = await loadLayersModel({ load: async () => ({ modelTopology: artifacts.modelTopology, format: artifacts.format }) });
  try {
    const expected = new Map(bare.weights.map((w) => [w.originalName, w.shape as number[]]));
    const problems: string[] = [];
    for (const spec of artifacts.weightSpecs) {
      const shape = expected.get(spec.name);
      if (shape && JSON.stringify(shape) !== JSON.stringify(spec.shape)) {
        problems.push(`'${spec.name}' is [${spec.shape.join(',')}] in the weights manifest, the architecture expects [${shape.join(',')}]`);
      }
    }
    return problems;
  } finally {
    bare.dispose();
  }
}
