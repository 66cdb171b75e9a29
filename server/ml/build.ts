// Turns an Architecture into a tfjs LayersModel. Only standard Keras layer classes are used, so the
// saved model.json loads anywhere tfjs runs (runners, server, browser) with no custom code.
import * as tf from './tf';
import type { Architecture, LayerSpec } from './architecture';
import { mixSeed } from './random';

export interface BuildOptions {
  /** Seeds every initialiser and dropout mask: same architecture + seed = same starting weights. */
  seed: number;
}

export function buildModel(arch: Architecture, options: BuildOptions): tf.Sequential {
  return buildStack(arch.inputShape, arch.layers, options.seed, 0);
}

/**
 * A sequential model of `layers` on an input of `inputShape`. `firstIndex` is the position of
 * layers[0] in the full architecture: a base or head built alone gets the same initialisers and
 * layer names as the same layers inside the full model.
 */
export function buildStack(
  inputShape: readonly number[],
  layers: readonly LayerSpec[],
  seed: number,
  firstIndex: number,
): tf.Sequential {
  const model = tf.sequential();
  layers.forEach((spec, i) => {
    // The input shape goes on the first layer: a Sequential model has no separate input layer.
    model.add(makeLayer(spec, firstIndex + i, mixSeed(seed, firstIndex + i), i === 0 ? [...inputShape] : undefined));
  });
  return model;
}

/**
 * The layer of `spec` at `index` in its architecture. Names are by position (a `prefix` before them
 * tells apart the networks of an ensemble, ensemble.ts).
 */
export function makeLayer(
  spec: LayerSpec,
  index: number,
  seed: number,
  inputShape?: number[],
  prefix = '',
): tf.layers.Layer {
  const kernelInitializer = tf.initializers.glorotUniform({ seed });
  // Names by position keep model.json deterministic and match between a full model and its parts.
  const common = { name: `${prefix}${spec.kind}_${index}`, ...(inputShape ? { inputShape } : {}) };
  switch (spec.kind) {
    case 'greyscale':
      // A standard layer, so that model.json needs no custom code; parseArchitecture allows it only
      // first, on 3 channels.
      return tf.layers.conv2d({
        ...common,
        filters: 1,
        kernelSize: 1,
        useBias: false,
        trainable: false,
        kernelInitializer: tf.initializers.constant({ value: 1 / 3 }),
      });
    case 'conv2d':
      return tf.layers.conv2d({
        ...common,
        filters: spec.filters,
        kernelSize: spec.kernelSize,
        strides: spec.strides,
        padding: 'same',
        activation: spec.activation,
        kernelInitializer,
      });
    case 'separableConv2d':
      return tf.layers.separableConv2d({
        ...common,
        filters: spec.filters,
        kernelSize: spec.kernelSize,
        strides: spec.strides,
        padding: 'same',
        activation: spec.activation,
        depthwiseInitializer: tf.initializers.glorotUniform({ seed: mixSeed(seed, 1) }),
        pointwiseInitializer: tf.initializers.glorotUniform({ seed: mixSeed(seed, 2) }),
      });
    case 'maxPool':
      return tf.layers.maxPooling2d({ ...common, poolSize: spec.poolSize, strides: spec.strides, padding: 'same' });
    case 'batchNorm':
      // Keras's 0.99 lets the moving statistics that validation and serving use trail the
      // weights by hundreds of steps: on a few hundred images a network scored near chance
      // while it trained well (bench:quality smoke run, 64×64 RGB). 0.9 settles in tens of steps.
      return tf.layers.batchNormalization({ ...common, momentum: 0.9 });
    case 'dropout':
      // The trainer re-seeds this per batch (see train.ts); this seed only fixes the first mask.
      return tf.layers.dropout({ ...common, rate: spec.rate, seed });
    case 'flatten':
      return tf.layers.flatten({ ...common });
    case 'globalAveragePooling':
      return tf.layers.globalAveragePooling2d({ ...common });
    case 'dense':
      return tf.layers.dense({ ...common, units: spec.units, activation: spec.activation, kernelInitializer });
  }
}
