import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from './random';
import { classThresholds, isAccepted, wilsonLower, type HeldOutPredictions } from './thresholds';

/**
 * A simulated network over `classes` classes: each image's top-1 confidence is uniform in
 * [1/classes, 1], and the answer is right with probability confidence^skew[answer] — classes
 * differ in how far their confidence can be trusted, so their thresholds must differ.
 */
function simulate(seed: number, images: number, skew: number[]): HeldOutPredictions {
  const rnd = seededRandom(seed);
  const classes = skew.length;
  const out: HeldOutPredictions = { truth: [], predicted: [], confidence: [] };
  for (let i = 0; i < images; i++) {
    const answer = Math.floor(rnd() * classes);
    const p = 1 / classes + rnd() * (1 - 1 / classes);
    const right = rnd() < p ** skew[answer]!;
    const truth = right ? answer : (answer + 1 + Math.floor(rnd() * (classes - 1))) % classes;
    out.truth.push(truth);
    out.predicted.push(answer);
    out.confidence.push(p);
  }
  return out;
}

/** Precision of the answers of class c that clear `threshold`. */
function precisionAt(data: HeldOutPredictions, c: number, threshold: number): { precision: number; accepted: number } {
  let accepted = 0;
  let correct = 0;
  for (let i = 0; i < data.truth.length; i++) {
    if (data.predicted[i] !== c || data.confidence[i]! < threshold) continue;
    accepted++;
    if (data.truth[i] === c) correct++;
  }
  return { precision: accepted ? correct / accepted : 1, accepted };
}

describe('classThresholds', () => {
  const skew = [1, 2, 3, 0.5];

  test('each class meets the target precision on the held-out set, and on fresh images from the same source', () => {
    const heldOut = simulate(1, 4000, skew);
    const fresh = simulate(2, 40_000, skew);
    for (const target of [0.9, 0.95]) {
      const fresher: number[] = [];
      const thresholds = classThresholds(heldOut, skew.length, target);
      for (const t of thresholds) {
        assert.equal(t.source, 'HELD_OUT');
        const seen = precisionAt(heldOut, t.classIndex, t.threshold);
        assert.ok(seen.precision >= target, `class ${t.classIndex} at ${target}: ${seen.precision} on held-out`);
        assert.ok(Math.abs(t.precision! - seen.precision) < 1e-12);
        const unseen = precisionAt(fresh, t.classIndex, t.threshold);
        assert.ok(unseen.accepted > 100, `class ${t.classIndex} accepts some fresh answers`);
        // Fitted on about 1000 answers of a class, it holds on fresh images within a few points.
        assert.ok(unseen.precision >= target - 0.05, `class ${t.classIndex} at ${target}: ${unseen.precision} fresh`);
        fresher.push(unseen.precision);
        // Without the threshold the class is below target: the threshold did the work.
        assert.ok(precisionAt(fresh, t.classIndex, 0).precision < target);
      }
      // On average over the classes, the target is met on fresh images (to a point: it is an estimate).
      assert.ok(
        fresher.reduce((a, b) => a + b) / fresher.length >= target - 0.01,
        `${fresher.join(', ')} at ${target}`,
      );
      // Classes whose confidence is trusted less need a higher threshold.
      const [easy, , hard] = thresholds;
      assert.ok(hard!.threshold > easy!.threshold, `${hard!.threshold} > ${easy!.threshold}`);
    }
  });

  test('the threshold is the lowest that reaches the target: any lower cut falls short', () => {
    const heldOut = simulate(3, 3000, skew);
    for (const t of classThresholds(heldOut, skew.length, 0.95)) {
      const below = heldOut.confidence
        .filter((p, i) => heldOut.predicted[i] === t.classIndex && p < t.threshold)
        .sort((a, b) => b - a);
      for (const lower of below.slice(0, 20)) {
        const { precision, accepted } = precisionAt(heldOut, t.classIndex, lower);
        assert.ok(wilsonLower(Math.round(precision * accepted), accepted) < 0.95, `class ${t.classIndex} at ${lower}`);
      }
    }
  });

  /** `n` answers of class `answer` at confidence `p`, right when `truth` is `answer`. */
  const answers = (n: number, answer: number, truth: number, p: number): HeldOutPredictions => ({
    truth: new Array<number>(n).fill(truth),
    predicted: new Array<number>(n).fill(answer),
    confidence: new Array<number>(n).fill(p),
  });
  const join = (...parts: HeldOutPredictions[]): HeldOutPredictions => ({
    truth: parts.flatMap((x) => x.truth),
    predicted: parts.flatMap((x) => x.predicted),
    confidence: parts.flatMap((x) => x.confidence),
  });

  test('precision and recall are those of the accepted held-out answers', () => {
    const heldOut = join(answers(20, 0, 0, 0.9), answers(3, 0, 1, 0.5), answers(2, 0, 0, 0.3), answers(10, 1, 1, 0.8));
    const [a, b] = classThresholds(heldOut, 2, 0.9);
    assert.deepEqual(a, {
      classIndex: 0,
      threshold: 0.9,
      source: 'HELD_OUT',
      precision: 1,
      recall: 20 / 22,
      answers: 25,
    });
    assert.deepEqual(b, {
      classIndex: 1,
      threshold: 0.8,
      source: 'HELD_OUT',
      precision: 1,
      recall: 10 / 13,
      answers: 10,
    });
  });

  test('few answers do not prove a precision: 2 right of 2 is not 95%', () => {
    const [few] = classThresholds(answers(2, 0, 0, 0.9), 1, 0.95);
    assert.equal(few!.threshold, 1);
    const [many] = classThresholds(answers(40, 0, 0, 0.9), 1, 0.95);
    assert.equal(many!.threshold, 0.9);
  });

  test('a class with no held-out answers takes the pooled threshold; an unreachable target gives 1', () => {
    const heldOut = join(answers(20, 0, 0, 0.9), answers(5, 0, 1, 0.5));
    const [a, b] = classThresholds(heldOut, 2, 0.9);
    assert.equal(a!.threshold, 0.9);
    assert.deepEqual(b, { classIndex: 1, threshold: 0.9, source: 'POOLED', precision: null, recall: 0, answers: 0 });
    const [wrong] = classThresholds(answers(30, 0, 1, 0.99), 2, 0.95);
    assert.equal(wrong!.threshold, 1);
    assert.equal(wrong!.precision, null);
  });

  test('a class with too few answers of its own takes the pooled threshold, unless its answers contradict it', () => {
    const pool = join(answers(30, 0, 0, 0.9), answers(30, 1, 1, 0.8));
    const [, , fine] = classThresholds(join(pool, answers(2, 2, 2, 0.85)), 3, 0.9);
    assert.deepEqual(fine, { classIndex: 2, threshold: 0.8, source: 'POOLED', precision: 1, recall: 1, answers: 2 });
    const [, , doubtful] = classThresholds(join(pool, answers(1, 2, 2, 0.85), answers(1, 2, 0, 0.85)), 3, 0.9);
    assert.deepEqual([doubtful!.threshold, doubtful!.source], [1, 'HELD_OUT']);
  });

  test('equal confidences are accepted together or not at all', () => {
    // Taken one by one, the right answer at 0.5 would pass before the wrong one at 0.5.
    const [t] = classThresholds(join(answers(20, 0, 0, 0.9), answers(1, 0, 0, 0.5), answers(1, 0, 1, 0.5)), 2, 0.9);
    assert.equal(t!.threshold, 0.9);
  });

  test('wilsonLower: n right of n is n / (n + 1)', () => {
    assert.ok(Math.abs(wilsonLower(19, 19) - 0.95) < 1e-12);
    assert.ok(wilsonLower(95, 100) < 0.95);
  });

  test('bad input is refused', () => {
    assert.throws(() => classThresholds({ truth: [0], predicted: [], confidence: [] }, 2, 0.9), /differ in length/);
    assert.throws(() => classThresholds({ truth: [0], predicted: [5], confidence: [1] }, 2, 0.9), /out of range/);
    assert.throws(() => classThresholds({ truth: [], predicted: [], confidence: [] }, 2, 0), /target precision/);
  });

  test('isAccepted: at or above the threshold; null without one', () => {
    assert.equal(isAccepted(0.8, 0.8), true);
    assert.equal(isAccepted(0.79, 0.8), false);
    assert.equal(isAccepted(0.99, null), null);
  });
});
