// Test-set metrics recorded when a candidate is promoted: accuracy, per-class precision, recall
// and F1, and the confusion matrix.
import * as tf from './tf';
import { disposeBatch, type Dataset } from './dataset';
import type { HeldOutPredictions } from './thresholds';
import { outputClasses } from './train';

export interface ClassMetrics {
  /** Of the images predicted as this class, the share that are. 0 when none were predicted. */
  precision: number;
  /** Of the images of this class, the share found: the per-class accuracy. 0 when it has none. */
  recall: number;
  f1: number;
  /** Images of this class in the evaluated data. */
  support: number;
}

export interface Evaluation {
  count: number;
  accuracy: number;
  perClass: ClassMetrics[];
  /** confusion[trueClass][predictedClass] = number of images. */
  confusion: number[][];
}

/** Runs the model over `data` in inference mode and scores its top-1 predictions. */
export async function evaluate(
  model: tf.LayersModel,
  data: Dataset,
  options: { batchSize?: number } = {},
): Promise<Evaluation> {
  return (await evaluateWithAnswers(model, data, options)).evaluation;
}

/** evaluate, and each image's top-1 answer with its probability (what thresholds are chosen from). */
export async function evaluateWithAnswers(
  model: tf.LayersModel,
  data: Dataset,
  options: { batchSize?: number } = {},
): Promise<{ evaluation: Evaluation; answers: HeldOutPredictions }> {
  const classes = outputClasses(model);
  const truth: number[] = [];
  const predicted: number[] = [];
  const confidence: number[] = [];
  for await (const b of data.batches({ batchSize: options.batchSize ?? 64 })) {
    try {
      const [top, best] = tf.tidy(() => {
        const probs = model.apply(b.xs, { training: false }) as tf.Tensor;
        return [tf.argMax(probs, -1), tf.max(probs, -1)];
      });
      predicted.push(...(await top!.data()));
      confidence.push(...(await best!.data()));
      top!.dispose();
      best!.dispose();
      truth.push(...(await b.labels.data()));
    } finally {
      disposeBatch(b);
    }
  }
  return { evaluation: scorePredictions(truth, predicted, classes), answers: { truth, predicted, confidence } };
}

/** The metrics from true and predicted class indices; pure, so it is tested on its own. */
export function scorePredictions(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): Evaluation {
  if (truth.length !== predicted.length) throw new Error(`${truth.length} labels but ${predicted.length} predictions`);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    if (t < 0 || t >= classes || p < 0 || p >= classes)
      throw new Error(`class index out of range at ${i}: true ${t}, predicted ${p}`);
    confusion[t]![p]!++;
    if (t === p) correct++;
  }
  const perClass = confusion.map((row, c) => {
    const tp = row[c]!;
    const support = row.reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((sum, r) => sum + r[c]!, 0);
    const precision = predictedAs ? tp / predictedAs : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
  return { count: truth.length, accuracy: truth.length ? correct / truth.length : 0, perClass, confusion };
}
