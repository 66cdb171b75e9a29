import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from './tf';
import { initBackend } from './backend';
import { buildModel } from './build';
import { InMemoryImageDataset } from './dataset';
import { accuracyOf, chooseMembers, clearlyBetter, ensembleModel, meanCorrect, probabilitiesOn } from './ensemble';
import { generateCandidates } from './generate';
import { loadModel, MemoryArtifactStore, saveModel } from './io';
import { maxAbsDiff, tinyTestCnn } from './testing';

const shape = [12, 12, 3] as const;
const cnn = tinyTestCnn([...shape], 4, true);
const other = generateCandidates({ inputShape: [...shape], classes: 4, count: 4 }).find((a) => a.id !== cnn.id)!;

function images(n: number, seed: number): InMemoryImageDataset {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 255;
  const pixels = Uint8Array.from({ length: n * 12 * 12 * 3 }, next);
  return new InMemoryImageDataset(
    [...shape],
    pixels,
    Array.from({ length: n }, (_, i) => i % 4),
  );
}

describe('ensemble', () => {
  before(() => initBackend('cpu'));

  test('serves the mean of its networks, saved and loaded as one model, after they are gone', async () => {
    const a = buildModel(cnn, { seed: 1 });
    const b = buildModel(other, { seed: 2 });
    const data = images(10, 7);
    const { probabilities } = await probabilitiesOn([a, b], data);
    const expected = probabilities[0]!.map((p, i) => (p + probabilities[1]![i]!) / 2);

    const served = ensembleModel([
      { architecture: cnn, model: a },
      { architecture: other, model: b },
    ]);
    a.dispose();
    b.dispose();
    const store = new MemoryArtifactStore();
    await saveModel(served, store, 'm/ensemble', { members: ['a', 'b'] });
    served.dispose();
    const loaded = await loadModel(store, 'm/ensemble');
    // One input, one 4-way output: whatever serves a single network serves this.
    assert.deepEqual(loaded.inputs[0]!.shape, [null, ...shape]);
    assert.deepEqual(loaded.outputs[0]!.shape, [null, 4]);
    const got = (await probabilitiesOn([loaded], data)).probabilities[0]!;
    assert.ok(maxAbsDiff(got, expected) < 1e-6, `ensemble output off the mean by ${maxAbsDiff(got, expected)}`);
    loaded.dispose();
  });

  test('a single member is that network', async () => {
    const a = buildModel(cnn, { seed: 3 });
    const served = ensembleModel([{ architecture: cnn, model: a }]);
    const data = images(6, 3);
    const { probabilities } = await probabilitiesOn([a, served], data);
    assert.ok(maxAbsDiff(probabilities[0]!, probabilities[1]!) < 1e-6);
    a.dispose();
    served.dispose();
  });

  test('refuses networks that take different images or answer different classes', () => {
    const a = buildModel(cnn, { seed: 1 });
    const wider = tinyTestCnn([16, 16, 3], 4, true);
    const b = buildModel(wider, { seed: 1 });
    assert.throws(
      () =>
        ensembleModel([
          { architecture: cnn, model: a },
          { architecture: wider, model: b },
        ]),
      /same images/,
    );
    assert.throws(() => ensembleModel([]), /at least one/);
    a.dispose();
    b.dispose();
    tf.disposeVariables();
  });

  test('a partner joins only when the mean is clearly better on the validation images', () => {
    const classes = 2;
    const row = (p: number) => [p, 1 - p];
    // 200 images of class 0. The chosen network is right on 150 (confidently) and wrong on 50
    // (narrowly, 0.45). A partner right (0.9) wherever the chosen one is wrong, and narrowly wrong
    // (0.45) elsewhere, turns all 200 right in the mean: 50 gained, none lost.
    const truth = new Int32Array(200);
    const chosen = Float32Array.from(Array.from({ length: 200 }, (_, i) => row(i < 150 ? 0.9 : 0.45)).flat());
    const helpful = Float32Array.from(Array.from({ length: 200 }, (_, i) => row(i < 150 ? 0.45 : 0.9)).flat());
    // A partner that flips as many answers each way: no clear gain (6 gained, 6 lost).
    const swap = Float32Array.from(
      Array.from({ length: 200 }, (_, i) =>
        row(i < 6 ? 0.05 : i >= 150 && i < 156 ? 0.99 : i < 150 ? 0.9 : 0.45),
      ).flat(),
    );
    assert.equal(accuracyOf(meanCorrect([chosen], truth, classes)), 0.75);
    assert.equal(accuracyOf(meanCorrect([chosen, helpful], truth, classes)), 1);
    assert.deepEqual(chooseMembers([chosen, helpful], truth, classes), [0, 1]);
    assert.deepEqual(chooseMembers([chosen, swap], truth, classes), [0]);
    assert.deepEqual(chooseMembers([chosen, swap, helpful], truth, classes), [0, 2]);
  });

  test('the sign test wants more than luck: 3 gained and 1 lost is not enough, 30 and 10 is', () => {
    const pair = (gains: number, losses: number, same: number) => {
      const challenger = [...Array(gains).fill(true), ...Array(losses).fill(false), ...Array(same).fill(true)];
      const incumbent = [...Array(gains).fill(false), ...Array(losses).fill(true), ...Array(same).fill(true)];
      return clearlyBetter(challenger, incumbent);
    };
    assert.equal(pair(3, 1, 50), false);
    assert.equal(pair(30, 10, 500), true);
    assert.equal(pair(0, 0, 100), false);
    assert.equal(pair(10, 12, 100), false);
  });
});
