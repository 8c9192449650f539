import * as tf from '@tensorflow/tfjs-core';

/**
 * The class tfjs-layers registered for serialization under `className`. tfjs-layers exports its
 * layer classes only through factory functions, so subclassing one (to keep its weights, config and
 * inference path) needs the constructor from the serialization registry. This package registers
 * its subclasses under names of their own, so the entry is always tfjs's class.
 */
export function registeredLayerClass<T>(className: string, caller: string): T {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (entry === undefined) throw new Error(`${caller}: tfjs-layers has no registered class '${className}'`);
  return entry[0] as unknown as T;
}
