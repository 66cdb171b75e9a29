// Expandable models: after promotion the network is cut into a base (image → feature vector) and
// a head (features → classes). New classes get a new head trained on cached base features, with
// every other head's classes as a "none of mine" output, so that heads' probabilities compare.
import * as tf from './tf';
import { featureSize, type Architecture } from './architecture';
import { buildStack } from './build';
import { disposeBatch, FeatureDataset, type Dataset } from './dataset';
import { scorePredictions, type Evaluation } from './evaluate';
import { headLayers, widthLevel } from './generate';
import { classifyFeatures, type ClassifierHead } from './infer';
import { mixSeed } from './random';
import { train, type TrainOptions, type TrainResult } from './train';

/** Base → head must reproduce the full model within this (max absolute difference of outputs). */
export const SPLIT_TOLERANCE = 1e-5;

export interface SplitResult {
  base: tf.Sequential;
  head: tf.Sequential;
  /** Length of the base's output vector: the head's input and what a feature cache stores. */
  featureSize: number;
  /** Largest difference between full and split outputs on a probe batch. */
  maxAbsDiff: number;
}

/**
 * Copies `model` (built from `arch`, trained) into two independent models: layers before
 * arch.headStart and layers from it on. They share no variables with `model`, so each can be
 * saved, loaded and disposed on its own. Throws if base → head strays from the full model by more
 * than SPLIT_TOLERANCE on a seeded probe batch.
 */
export function splitModel(model: tf.LayersModel, arch: Architecture): SplitResult {
  if (model.layers.length !== arch.layers.length) {
    throw new Error(`model has ${model.layers.length} layers, architecture ${arch.id} has ${arch.layers.length}`);
  }
  const size = featureSize(arch);
  const base = buildStack(arch.inputShape, arch.layers.slice(0, arch.headStart), 0, 0);
  const head = buildStack([size], arch.layers.slice(arch.headStart), 0, arch.headStart);
  base.layers.forEach((layer, i) => layer.setWeights(model.layers[i]!.getWeights()));
  head.layers.forEach((layer, i) => layer.setWeights(model.layers[arch.headStart + i]!.getWeights()));
  const maxAbsDiff = splitDifference(model, base, head, arch);
  if (!(maxAbsDiff <= SPLIT_TOLERANCE)) {
    base.dispose();
    head.dispose();
    throw new Error(`split of ${arch.id} differs from the full model by ${maxAbsDiff} (> ${SPLIT_TOLERANCE})`);
  }
  return { base, head, featureSize: size, maxAbsDiff };
}

/** Max |full(x) − head(base(x))| over a seeded batch of random images. */
export function splitDifference(
  model: tf.LayersModel,
  base: tf.LayersModel,
  head: tf.LayersModel,
  arch: Pick<Architecture, 'inputShape'>,
): number {
  return tf.tidy(() => {
    const x = tf.randomUniform([4, ...arch.inputShape], 0, 1, 'float32', 7);
    const full = model.predict(x) as tf.Tensor;
    const split = head.predict(base.predict(x) as tf.Tensor) as tf.Tensor;
    return tf.max(tf.abs(tf.sub(full, split))).dataSync()[0]!;
  });
}

export interface HeadOptions {
  seed: number;
  /** Add a last output for "none of my classes". Default true: heads added later need it. */
  noneOfMine?: boolean;
  /** Hidden units; default as the generator would choose for this many classes. */
  hiddenUnits?: number;
  /** The model is expandable, which widens the default hidden layer like the generator does. */
  expandable?: boolean;
}

/** A new head for `classes` classes over features of length `features`. */
export function buildHead(features: number, classes: number, options: HeadOptions): tf.Sequential {
  const outputs = classes + (options.noneOfMine === false ? 0 : 1);
  const { layers } = headLayers(outputs, widthLevel(classes, options.expandable ?? true));
  if (options.hiddenUnits !== undefined) layers[0] = { kind: 'dense', units: options.hiddenUnits, activation: 'relu' };
  return buildStack([features], layers, mixSeed(options.seed, classes), 0);
}

/**
 * A copy of `head` (features → n classes, no "none" output) with a "none of mine" output added:
 * its weights are kept and the new output starts at zero. The head a model was promoted with has
 * no such output, so it is overconfident on images of classes added later; when the first new
 * head arrives, fine-tune this copy with trainHead on the cached features (measured on synthetic
 * data: new-class accuracy 0.21 → 0.69, overall 0.58 → 0.80).
 */
export function withNoneOutput(head: tf.LayersModel): tf.Sequential {
  const config = head.layers.map((layer) => layer.getConfig());
  const last = head.layers.at(-1)!;
  if (last.getClassName() !== 'Dense') throw new Error('the head must end in a dense layer');
  const copy = tf.sequential();
  head.layers.forEach((layer, i) => {
    const className = layer.getClassName();
    const cfg = { ...config[i]!, name: undefined } as Record<string, unknown>;
    if (i === 0) cfg.batchInputShape = head.inputs[0]!.shape;
    if (i === head.layers.length - 1) cfg.units = (cfg.units as number) + 1;
    copy.add(
      tf.layers[className === 'Dense' ? 'dense' : className === 'Dropout' ? 'dropout' : unsupported(className)](
        cfg as never,
      ),
    );
  });
  copy.layers.forEach((layer, i) => {
    const weights = head.layers[i]!.getWeights();
    if (i < head.layers.length - 1) return layer.setWeights(weights);
    const [kernel, bias] = weights as [tf.Tensor2D, tf.Tensor1D];
    const widened = tf.tidy(() => [
      tf.concat([kernel, tf.zeros([kernel.shape[0], 1])], 1),
      tf.concat([bias, tf.zeros([1])]),
    ]);
    layer.setWeights(widened);
    tf.dispose(widened);
  });
  return copy;
}

function unsupported(className: string): never {
  throw new Error(`heads may hold dense and dropout layers only, not ${className}`);
}

/**
 * Labels for a head: images of the head's own classes get their index in `ownClassIds`, every
 * other image gets the "none of mine" index (ownClassIds.length).
 */
export function headLabels(classIds: ArrayLike<number>, ownClassIds: readonly number[]): Int32Array {
  const local = new Map(ownClassIds.map((id, i) => [id, i]));
  return Int32Array.from(classIds, (id) => local.get(id) ?? ownClassIds.length);
}

/** Runs the base over a dataset once: the features a head trains on, to be cached by the caller. */
export async function computeFeatures(
  base: tf.LayersModel,
  data: Dataset,
  batchSize = 64,
  onBatch?: (done: number) => void | Promise<void>,
): Promise<FeatureDataset> {
  const size = base.outputs[0]!.shape.at(-1)!;
  const features = new Float32Array(data.size * size);
  const labels = new Int32Array(data.size);
  let offset = 0;
  for await (const b of data.batches({ batchSize })) {
    try {
      const out = tf.tidy(() => base.predict(b.xs) as tf.Tensor);
      features.set(await out.data(), offset * size);
      out.dispose();
      labels.set(await b.labels.data(), offset);
      offset += b.size;
    } finally {
      disposeBatch(b);
    }
    await onBatch?.(offset);
  }
  return new FeatureDataset(size, features, labels);
}

/**
 * Trains a head on cached features. `data` and `options.validation` are labelled with headLabels,
 * i.e. local indices with the "none of mine" index for other heads' images.
 */
export function trainHead(head: tf.LayersModel, data: FeatureDataset, options: TrainOptions): Promise<TrainResult> {
  return train(head, data, options);
}

/**
 * Scores a set of heads together, as they would serve: `data` holds features labelled with global
 * class ids, and each vector's prediction is the most probable class across all heads. Rows of
 * the confusion matrix and perClass are indexed by global class id.
 */
export async function evaluateHeads(
  heads: readonly ClassifierHead[],
  data: FeatureDataset,
  batchSize = 256,
): Promise<Evaluation> {
  const served = heads.flatMap((h) => h.classIds.filter((id): id is number => id !== null));
  if (served.length === 0) throw new Error('the heads serve no class');
  const truth: number[] = [];
  const predicted: number[] = [];
  for await (const b of data.batches({ batchSize })) {
    try {
      predicted.push(...(await classifyFeatures(heads, b.xs, 1)).map((top) => top[0]!.classIndex));
      truth.push(...(await b.labels.data()));
    } finally {
      disposeBatch(b);
    }
  }
  return scorePredictions(truth, predicted, Math.max(...served, ...truth) + 1);
}
