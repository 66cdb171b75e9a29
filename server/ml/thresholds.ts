// Per-class confidence thresholds from held-out predictions: the lowest top-1 probability at which
// a class's answers still reach a target precision, so that an answer below it can be called unsure.

/** The promoted network's top-1 answers on images it did not train on (validation or test). */
export interface HeldOutPredictions {
  /** True class index of each image. */
  truth: number[];
  /** Top-1 class index the network answered. */
  predicted: number[];
  /** Probability of that top-1 answer. */
  confidence: number[];
}

export type ThresholdSource =
  /** From this class's own held-out answers. */
  | 'HELD_OUT'
  /** Too few held-out answers of its own (none against it): the threshold of all classes' answers pooled. */
  | 'POOLED';

export interface ClassThreshold {
  classIndex: number;
  /** Answers of this class are accepted at or above it. 1 when no cut reached the target. */
  threshold: number;
  source: ThresholdSource;
  /** Precision of the accepted held-out answers (null when none were accepted). */
  precision: number | null;
  /** Share of this class's held-out images answered correctly and accepted. */
  recall: number | null;
  /** Held-out answers of this class (correct or not) the threshold was chosen from. */
  answers: number;
}

/**
 * One threshold per class index below `classes`. For each class, its held-out answers are sorted
 * by confidence, most confident first; every cut between distinct confidences is a candidate
 * threshold, and the lowest one whose accepted answers reach `target` precision wins (most answers
 * accepted at the precision asked). "Reach" is judged by the lower end of a one-standard-error
 * Wilson interval, not the bare share: the lowest cut whose share happens to touch the target is
 * the luckiest one, and on fresh images it fell short (simulated, target 0.9, 1000 answers a
 * class: fresh precision 0.903 mean / 0.81 worst by the share, 0.930 / 0.85 by the bound); few
 * answers need a higher threshold. A class whose own answers are too few to reach it, but whose
 * answers above the threshold of all classes' answers pooled are right at least `target` of the
 * time (or that has none), takes the pooled threshold: a small test split would otherwise leave
 * every class unsure. Otherwise, if no cut reaches the target, the threshold is 1. Pure: tested
 * on synthetic sets.
 */
export function classThresholds(heldOut: HeldOutPredictions, classes: number, target: number): ClassThreshold[] {
  const { truth, predicted, confidence } = heldOut;
  if (truth.length !== predicted.length || truth.length !== confidence.length)
    throw new Error(`held-out arrays differ in length: ${truth.length}, ${predicted.length}, ${confidence.length}`);
  if (!(target > 0 && target <= 1)) throw new Error(`target precision ${target} is not in (0, 1]`);
  const support = new Array<number>(classes).fill(0);
  const byClass = Array.from({ length: classes }, () => [] as { p: number; ok: boolean }[]);
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const c = predicted[i]!;
    if (t >= 0 && t < classes) support[t]!++;
    if (c < 0 || c >= classes) throw new Error(`predicted class ${c} at ${i} is out of range`);
    byClass[c]!.push({ p: confidence[i]!, ok: t === c });
  }
  const pooled = cut(byClass.flat(), target);
  return byClass.map((answers, classIndex) => {
    const own = cut(answers, target);
    // Too few answers of its own to show the target, none against it: the pool's evidence decides.
    const pool = own === 1 && pooled < 1 && share(answers.filter((a) => a.p >= pooled)) >= target;
    const threshold = pool ? pooled : own;
    const accepted = answers.filter((a) => a.p >= threshold);
    const correct = accepted.filter((a) => a.ok).length;
    return {
      classIndex,
      threshold,
      source: pool || answers.length === 0 ? 'POOLED' : 'HELD_OUT',
      precision: accepted.length ? correct / accepted.length : null,
      recall: support[classIndex] ? correct / support[classIndex] : null,
      answers: answers.length,
    };
  });
}

/** The lowest confidence at which the answers at or above it reach `target` precision; 1 if none. */
function cut(answers: { p: number; ok: boolean }[], target: number): number {
  const sorted = [...answers].sort((a, b) => b.p - a.p);
  let best = 1;
  let correct = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i]!.ok) correct++;
    // Only between distinct confidences: a threshold accepts all answers of equal confidence.
    if (i + 1 < sorted.length && sorted[i + 1]!.p === sorted[i]!.p) continue;
    if (wilsonLower(correct, i + 1) >= target) best = sorted[i]!.p;
  }
  return best;
}

/** The share of right answers; 1 for none (nothing contradicts). */
function share(answers: { ok: boolean }[]): number {
  return answers.length ? answers.filter((a) => a.ok).length / answers.length : 1;
}

/** Lower end of the Wilson score interval of `k` successes in `n`, one standard error wide. */
export function wilsonLower(k: number, n: number, z = 1): number {
  const p = k / n;
  const z2 = z * z;
  return (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

/** Whether an answer clears its class's threshold; null when the class has none. */
export function isAccepted(probability: number, threshold: number | null | undefined): boolean | null {
  return threshold == null ? null : probability >= threshold;
}
