import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from './tf';
import { FeatureDataset } from './dataset';
import { evaluateHeads } from './expand';
import { classifyFeatures, MultiHeadClassifier } from './infer';
import { useTrainingBackend } from './testing';

/** A "head" that outputs fixed probabilities whatever its input: softmax of a zero kernel plus a bias. */
function fixedHead(probabilities: number[]): tf.Sequential {
  const head = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [2], units: probabilities.length, activation: 'softmax' })],
  });
  head.layers[0]!.setWeights([tf.zeros([2, probabilities.length]), tf.log(tf.tensor1d(probabilities))]);
  return head;
}

test('heads: outputs map to global classes, "none" and deleted classes are never answered', async () => {
  await useTrainingBackend('cpu');
  // Head A serves classes 0 and 1 (+ none); head B serves 2 and a deleted class (null) + none.
  const a = fixedHead([0.2, 0.1, 0.7]);
  const b = fixedHead([0.3, 0.6, 0.1]);
  const x = tf.zeros([2, 2]);
  const heads = [
    { model: a, classIds: [0, 1] },
    { model: b, classIds: [2, null] },
  ];
  const top = await classifyFeatures(heads, x, 5);
  assert.deepEqual(
    top[0]!.map((s) => s.classIndex),
    [2, 0, 1],
    'the deleted class (0.6) and both "none" outputs are left out',
  );
  assert.ok(Math.abs(top[0]![0]!.probability - 0.3) < 1e-6);
  assert.throws(() => new MultiHeadClassifier(a, [heads[0]!, { model: b, classIds: [1, 2] }]), /served by two heads/);

  const data = new FeatureDataset(2, new Float32Array(8), [2, 2, 0, 1]);
  const e = await evaluateHeads(heads, data);
  assert.equal(e.accuracy, 0.5);
  assert.deepEqual(e.confusion[0], [0, 0, 1]);
  a.dispose();
  b.dispose();
  x.dispose();
});
