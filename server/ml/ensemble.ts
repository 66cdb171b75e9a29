// Several trained networks served as one: the mean of their class probabilities. A run may serve
// its best candidates together where validation shows the mean clearly better than the chosen one
// alone. On validation such means gained 0.2–0.5 points on all of Fashion-MNIST, on its official
// test images 0 to +0.2 (one pair lost 0.2): docs/benchmarks.md, session 9.
//
// The ensemble is one functional Keras model of standard layers: each member's layers rebuilt under
// a prefix (`m1_conv2d_0`, …) and their softmax outputs averaged by an Average layer. Saved, served,
// exported and loaded in a browser exactly as a single network is.
import * as tf from './tf';
import type { Architecture } from './architecture';
import { makeLayer } from './build';
import { disposeBatch, type Dataset } from './dataset';

export interface Member {
  architecture: Architecture;
  /** Trained, built from `architecture` (build.ts), so its layers match the layer specs one to one. */
  model: tf.LayersModel;
}

/** One model computing the mean of the members' outputs; the members' weights are copied. */
export function ensembleModel(members: readonly Member[]): tf.LayersModel {
  const [first] = members;
  if (!first) throw new Error('an ensemble needs at least one network');
  const shape = first.architecture.inputShape;
  for (const m of members) {
    if (
      m.architecture.inputShape.join('x') !== shape.join('x') ||
      m.architecture.classes !== first.architecture.classes
    )
      throw new Error('the networks of an ensemble must take the same images and answer the same classes');
  }
  const input = tf.input({ shape: [...shape], name: 'image' });
  const outputs = members.map(({ architecture, model }, k) => {
    let x = input;
    architecture.layers.forEach((spec, i) => {
      const layer = makeLayer(spec, i, 0, undefined, `m${k + 1}_`);
      x = layer.apply(x) as tf.SymbolicTensor;
      layer.setWeights(model.layers[i]!.getWeights());
    });
    return x;
  });
  const output =
    outputs.length === 1 ? outputs[0]! : (tf.layers.average({ name: 'mean' }).apply(outputs) as tf.SymbolicTensor);
  return tf.model({ inputs: input, outputs: output, name: 'ensemble' });
}

/** Each network's class probabilities on every image of `data` (inference mode), and the true classes. */
export async function probabilitiesOn(
  models: readonly tf.LayersModel[],
  data: Dataset,
): Promise<{ truth: Int32Array; probabilities: Float32Array[] }> {
  const truth: number[] = [];
  const parts: Float32Array[][] = models.map(() => []);
  for await (const b of data.batches({ batchSize: 128 })) {
    try {
      for (const [k, model] of models.entries()) {
        const probs = tf.tidy(() => model.apply(b.xs, { training: false }) as tf.Tensor);
        parts[k]!.push((await probs.data()) as Float32Array);
        probs.dispose();
      }
      truth.push(...(await b.labels.data()));
    } finally {
      disposeBatch(b);
    }
  }
  const join = (chunks: Float32Array[]) => {
    const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  };
  return { truth: Int32Array.from(truth), probabilities: parts.map(join) };
}

/** Whether each image's top class under the mean of `probabilities` (row-major, `classes` wide) is right. */
export function meanCorrect(probabilities: readonly Float32Array[], truth: Int32Array, classes: number): boolean[] {
  return Array.from(truth, (label, i) => {
    let best = 0;
    let bestP = -Infinity;
    for (let c = 0; c < classes; c++) {
      let p = 0;
      for (const probs of probabilities) p += probs[i * classes + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    return best === label;
  });
}

/**
 * Whether `challenger` is right more often than `incumbent` on the same images by more than chance:
 * a one-sided sign test on the images where they differ (z ≥ 1.645, 95%). On a few dozen validation
 * images an ensemble can look better by luck; there it must win clearly or the one network serves.
 */
export function clearlyBetter(challenger: readonly boolean[], incumbent: readonly boolean[]): boolean {
  let gains = 0;
  let losses = 0;
  challenger.forEach((right, i) => {
    if (right && !incumbent[i]) gains++;
    if (!right && incumbent[i]) losses++;
  });
  const differ = gains + losses;
  return differ > 0 && (gains - losses) / Math.sqrt(differ) >= 1.645;
}

/**
 * Which partners join `first` (indices into `probabilities`; 0 is the chosen network): each in turn,
 * best first, when the mean with it is clearly better on these images than the mean without.
 */
export function chooseMembers(probabilities: readonly Float32Array[], truth: Int32Array, classes: number): number[] {
  const members = [0];
  let current = meanCorrect([probabilities[0]!], truth, classes);
  for (let k = 1; k < probabilities.length; k++) {
    const trial = meanCorrect(
      [...members, k].map((i) => probabilities[i]!),
      truth,
      classes,
    );
    if (clearlyBetter(trial, current)) {
      members.push(k);
      current = trial;
    }
  }
  return members;
}

export const accuracyOf = (correct: readonly boolean[]) =>
  correct.length === 0 ? 0 : correct.filter(Boolean).length / correct.length;

/** The accuracy of the mean of `probabilities` on these images. */
export const meanAccuracy = (probabilities: readonly Float32Array[], truth: Int32Array, classes: number) =>
  accuracyOf(meanCorrect(probabilities, truth, classes));
