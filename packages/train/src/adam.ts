import * as tf from '@tensorflow/tfjs-core';
import type { AdamOptions } from './types';

/** A parameter and its gradient for one optimiser step. */
export interface AdamUpdate {
  /** Stable name (the layer variable's original name): optimiser state is keyed by it. */
  name: string;
  variable: tf.Variable;
  grad: tf.Tensor;
}

/** Serialised optimiser state: a JSON manifest plus the moments as one float32 buffer. */
export interface AdamSnapshot {
  manifest: AdamManifest;
  data: Uint8Array;
}

export interface AdamManifest {
  type: 'adam';
  options: Required<AdamOptions>;
  /** m then v for each slot, float32 little-endian, in this order. */
  slots: { name: string; shape: number[]; step: number }[];
}

interface Slot {
  m: tf.Variable;
  v: tf.Variable;
  /** Per-parameter step count, as PyTorch keeps it: frozen parameters do not advance. */
  step: number;
}

/** Fills in torch.optim.Adam's defaults and validates ranges. */
export function resolveAdamOptions(options: AdamOptions = {}): Required<AdamOptions> {
  const resolved: Required<AdamOptions> = {
    type: 'adam',
    lr: options.lr ?? 1e-3,
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    eps: options.eps ?? 1e-8,
    weightDecay: options.weightDecay ?? 0,
    decoupled: options.decoupled ?? false,
  };
  if (!(resolved.lr >= 0)) throw new Error(`Adam: expected lr >= 0, got ${resolved.lr}`);
  for (const key of ['beta1', 'beta2'] as const) {
    if (!(resolved[key] >= 0 && resolved[key] < 1)) throw new Error(`Adam: expected ${key} in [0, 1), got ${resolved[key]}`);
  }
  if (!(resolved.eps >= 0)) throw new Error(`Adam: expected eps >= 0, got ${resolved.eps}`);
  if (!(resolved.weightDecay >= 0)) throw new Error(`Adam: expected weightDecay >= 0, got ${resolved.weightDecay}`);
  return resolved;
}

/**
 * Adam and AdamW exactly as torch.optim.Adam / AdamW (non-amsgrad) compute
 * them, with moments held in tf.Variables so the state can be checkpointed and
 * restored bit for bit. tfjs's own AdamOptimizer folds eps in differently and
 * has no weight decay, hence this implementation.
 */
export class Adam {
  readonly options: Required<AdamOptions>;
  private readonly slots = new Map<string, Slot>();

  constructor(options: AdamOptions = {}) {
    this.options = resolveAdamOptions(options);
  }

  /** Applies one update to every parameter given, with learning rate `lr` (default: the configured one). */
  step(updates: readonly AdamUpdate[], lr: number = this.options.lr): void {
    const { beta1, beta2, eps, weightDecay, decoupled } = this.options;
    for (const { name, variable, grad } of updates) {
      if (!tf.util.arraysEqual(variable.shape, grad.shape)) {
        throw new Error(`Adam.step: gradient of '${name}' has shape [${grad.shape}], parameter has [${variable.shape}]`);
      }
      const slot = this.slotFor(name, variable);
      slot.step += 1;
      const biasCorrection1 = 1 - beta1 ** slot.step;
      const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** slot.step);
      const stepSize = lr / biasCorrection1;
      tf.tidy(() => {
        let g = grad;
        let w: tf.Tensor = variable;
        if (weightDecay !== 0) {
          if (decoupled) w = tf.mul(w, 1 - lr * weightDecay);
          else g = tf.add(g, tf.mul(variable, weightDecay));
        }
        const m = tf.add(tf.mul(slot.m, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.mul(g, g), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(v), biasCorrection2Sqrt), eps);
        slot.m.assign(m);
        slot.v.assign(v);
        variable.assign(tf.sub(w, tf.mul(tf.div(m, denom), stepSize)));
      });
    }
  }

  /** Steps taken by the parameter `name` (0 if never updated). */
  stepOf(name: string): number {
    return this.slots.get(name)?.step ?? 0;
  }

  /** Number of tensors this optimiser holds (two per parameter seen). */
  get numSlots(): number {
    return this.slots.size;
  }

  /** Copies the state out (synchronously reads the moments). */
  snapshot(): AdamSnapshot {
    const entries = [...this.slots.entries()];
    const total = entries.reduce((n, [, s]) => n + 2 * s.m.size, 0);
    const floats = new Float32Array(total);
    let offset = 0;
    for (const [, slot] of entries) {
      floats.set(slot.m.dataSync() as Float32Array, offset);
      offset += slot.m.size;
      floats.set(slot.v.dataSync() as Float32Array, offset);
      offset += slot.v.size;
    }
    return {
      manifest: {
        type: 'adam',
        options: { ...this.options },
        slots: entries.map(([name, s]) => ({ name, shape: [...s.m.shape], step: s.step })),
      },
      data: new Uint8Array(floats.buffer),
    };
  }

  /** Replaces the state with a snapshot; the options must match the ones this optimiser was built with. */
  restore(snapshot: AdamSnapshot): void {
    const { manifest, data } = snapshot;
    if (manifest.type !== 'adam') throw new Error(`Adam.restore: expected an 'adam' state, got '${manifest.type}'`);
    const expected = manifest.slots.reduce((n, s) => n + 2 * 4 * sizeOf(s.shape), 0);
    if (data.byteLength !== expected) {
      throw new Error(`Adam.restore: state data has ${data.byteLength} bytes, the manifest describes ${expected}`);
    }
    const floats = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.dispose();
    let offset = 0;
    for (const s of manifest.slots) {
      const size = sizeOf(s.shape);
      const [m, v] = tf.tidy(() => [
        tf.variable(tf.tensor(floats.subarray(offset, offset + size), s.shape), false),
        tf.variable(tf.tensor(floats.subarray(offset + size, offset + 2 * size), s.shape), false),
      ]);
      offset += 2 * size;
      this.slots.set(s.name, { m: m!, v: v!, step: s.step });
    }
  }

  /** Releases the moment tensors. */
  dispose(): void {
    for (const slot of this.slots.values()) {
      slot.m.dispose();
      slot.v.dispose();
    }
    this.slots.clear();
  }

  private slotFor(name: string, variable: tf.Variable): Slot {
    let slot = this.slots.get(name);
    if (!slot) {
      // tf.variable keeps its initial value alive unless it was created in a tidy.
      const [m, v] = tf.tidy(() => [tf.variable(tf.zerosLike(variable), false), tf.variable(tf.zerosLike(variable), false)]);
      slot = { m: m!, v: v!, step: 0 };
      this.slots.set(name, slot);
    } else if (!tf.util.arraysEqual(slot.m.shape, variable.shape)) {
      throw new Error(`Adam.step: parameter '${name}' has shape [${variable.shape}], its saved state [${slot.m.shape}]`);
    }
    return slot;
  }
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
