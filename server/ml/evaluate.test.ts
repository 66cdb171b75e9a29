import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from './tf';
import { initBackend } from './backend';
import { InMemoryImageDataset } from './dataset';
import { evaluate, scorePredictions } from './evaluate';

describe('evaluate', () => {
  test('scorePredictions: accuracy, confusion (rows true, columns predicted), precision, recall, F1', () => {
    const truth = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2];
    const predicted = [0, 0, 1, 2, 1, 1, 2, 2, 0, 2];
    const e = scorePredictions(truth, predicted, 4);
    assert.equal(e.count, 10);
    assert.equal(e.accuracy, 0.7);
    assert.deepEqual(e.confusion, [
      [2, 1, 1, 0],
      [0, 2, 0, 0],
      [1, 0, 3, 0],
      [0, 0, 0, 0],
    ]);
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
    close(e.perClass[0]!.precision, 2 / 3);
    close(e.perClass[0]!.recall, 2 / 4);
    close(e.perClass[0]!.f1, (2 * (2 / 3) * 0.5) / (2 / 3 + 0.5));
    close(e.perClass[1]!.precision, 2 / 3);
    close(e.perClass[1]!.recall, 1);
    close(e.perClass[2]!.precision, 3 / 4);
    close(e.perClass[2]!.recall, 3 / 4);
    // A class never seen nor predicted scores 0 rather than NaN.
    assert.deepEqual(e.perClass[3], { precision: 0, recall: 0, f1: 0, support: 0 });
    assert.deepEqual(
      e.perClass.map((c) => c.support),
      [4, 2, 4, 0],
    );
  });

  test('scorePredictions rejects mismatched or out-of-range input', () => {
    assert.throws(() => scorePredictions([0, 1], [0], 2), /2 labels but 1/);
    assert.throws(() => scorePredictions([0, 2], [0, 1], 2), /out of range/);
  });

  test('evaluate runs the model in inference mode over the dataset', async () => {
    await initBackend('cpu');
    // A fixed "model": class = which of the two pixels is brighter. Dropout would scramble it if
    // evaluation ran in training mode.
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [1, 2, 1] }),
        tf.layers.dropout({ rate: 0.9 }),
        tf.layers.dense({ units: 2, activation: 'softmax', useBias: false }),
      ],
    });
    model.layers[2]!.setWeights([
      tf.tensor2d([
        [10, -10],
        [-10, 10],
      ]),
    ]);
    const pixels = Uint8Array.from([200, 10, 10, 200, 30, 250, 250, 0, 90, 80]);
    const labels = [0, 1, 1, 0, 1]; // the last one is wrong on purpose: the model says 0
    const before = tf.memory().numTensors;
    const e = await evaluate(model, new InMemoryImageDataset([1, 2, 1], pixels, labels), { batchSize: 2 });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(e.accuracy, 0.8);
    assert.deepEqual(e.confusion, [
      [2, 0],
      [1, 2],
    ]);
    model.dispose();
  });
});
