import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from './tf';
import { featureSize, type InputShape } from './architecture';
import { buildModel } from './build';
import { FeatureDataset, InMemoryImageDataset } from './dataset';
import {
  buildHead,
  computeFeatures,
  headLabels,
  splitModel,
  SPLIT_TOLERANCE,
  trainHead,
  withNoneOutput,
} from './expand';
import { generateCandidates } from './generate';
import { MultiHeadClassifier } from './infer';
import { loadModel, MemoryArtifactStore, saveModel } from './io';
import { syntheticImages } from './synthetic';
import { useTrainingBackend } from './testing';
import { train } from './train';

describe('expandable models', () => {
  test(`splitModel: base → head reproduces the full model (max abs diff ≤ ${SPLIT_TOLERANCE}) for every family`, async () => {
    await useTrainingBackend('cpu');
    const archs = [
      ...generateCandidates({ inputShape: [8, 8, 1], classes: 4, expandable: true, count: 2 }),
      ...generateCandidates({ inputShape: [28, 28, 1], classes: 10, expandable: true, count: 1 }),
      ...generateCandidates({ inputShape: [64, 64, 3], classes: 6, expandable: true, count: 3 }),
      // Grey pictures in a colour model: the fixed greyscale layer goes with the base.
      ...generateCandidates({ inputShape: [16, 16, 3], classes: 4, expandable: true, count: 2, greyContent: true }),
    ];
    assert.deepEqual(new Set(archs.map((a) => a.family)), new Set(['dense', 'cnn', 'separable']));
    const store = new MemoryArtifactStore();
    for (const arch of archs) {
      const model = buildModel(arch, { seed: 2 });
      const { base, head, featureSize: size, maxAbsDiff } = splitModel(model, arch);
      assert.ok(maxAbsDiff <= SPLIT_TOLERANCE, `${arch.id}: ${maxAbsDiff}`);
      assert.equal(size, featureSize(arch));
      assert.deepEqual(base.outputs[0]!.shape, [null, size]);
      assert.deepEqual(head.inputs[0]!.shape, [null, size]);
      assert.equal(base.countParams() + head.countParams(), arch.params);
      // Independent of the full model, and saved and loaded on their own.
      const x = tf.randomUniform([2, ...arch.inputShape], 0, 1, 'float32', 9);
      const expected = await (model.predict(x) as tf.Tensor).data();
      model.dispose();
      await saveModel(base, store, `${arch.id}/base`);
      await saveModel(head, store, `${arch.id}/head`);
      base.dispose();
      head.dispose();
      const [b, h] = [await loadModel(store, `${arch.id}/base`), await loadModel(store, `${arch.id}/head`)];
      const actual = await (h.predict(b.predict(x) as tf.Tensor) as tf.Tensor).data();
      assert.ok(Math.max(...actual.map((v, i) => Math.abs(v - expected[i]!))) <= SPLIT_TOLERANCE);
      b.dispose();
      h.dispose();
    }
  });

  test('splitModel refuses a model that is not of the architecture', async () => {
    await useTrainingBackend('cpu');
    const [a, b] = generateCandidates({ inputShape: [8, 8, 1], classes: 4, expandable: true, count: 4 }).filter(
      (x) => x.family === 'dense',
    );
    const model = buildModel(a!, { seed: 1 });
    assert.throws(() => splitModel(model, { ...b!, layers: [...b!.layers, ...b!.layers] }), /layers/);
    model.dispose();
  });

  test('buildHead and headLabels', async () => {
    await useTrainingBackend('cpu');
    const head = buildHead(64, 3, { seed: 1 });
    assert.deepEqual(head.inputs[0]!.shape, [null, 64]);
    assert.deepEqual(head.outputs[0]!.shape, [null, 4], 'three classes and "none of mine"');
    const plain = buildHead(64, 3, { seed: 1, noneOfMine: false, hiddenUnits: 32 });
    assert.deepEqual(plain.outputs[0]!.shape, [null, 3]);
    assert.equal(plain.countParams(), 64 * 32 + 32 + 32 * 3 + 3);
    const again = buildHead(64, 3, { seed: 1 });
    assert.deepEqual(
      again.getWeights().map((w) => Array.from(w.dataSync())),
      head.getWeights().map((w) => Array.from(w.dataSync())),
    );
    for (const m of [head, plain, again]) m.dispose();
    assert.deepEqual(headLabels([7, 3, 9, 3, 12], [9, 7]), Int32Array.of(1, 2, 0, 2, 2));
  });

  test('a new head trained on cached features with "none of mine" serves alongside the old one', async (t) => {
    await useTrainingBackend('cpu');
    const shape: InputShape = [12, 12, 1];
    const images = (classes: number, count: number, seed: number) => {
      const s = syntheticImages({ height: 12, width: 12, channels: 1, classes, count, seed });
      return new InMemoryImageDataset(shape, s.pixels, s.labels);
    };
    // First the model knows classes 0–2 (bars and diagonals) and is trained on them alone.
    const arch = generateCandidates({ inputShape: shape, classes: 3, expandable: true })[0]!;
    const model = buildModel(arch, { seed: 1 });
    const oldClasses = images(5, 500, 1).subset(Array.from({ length: 500 }, (_, i) => i).filter((i) => i % 5 < 3));
    await train(model, oldClasses, { epochs: 12, batchSize: 16, learningRate: 0.003, seed: 1 });
    const { base, head } = splitModel(model, arch);
    model.dispose();

    // Then classes 3 and 4 (squares, frames) arrive: features of all data are computed once.
    const all = images(5, 500, 2);
    const features = await computeFeatures(base, all);
    assert.equal(features.size, 500);
    assert.equal(features.featureSize, featureSize(arch));
    const newHead = buildHead(features.featureSize, 2, { seed: 3 });
    const local = headLabels(await all.labels(), [3, 4]);
    const result = await trainHead(newHead, new FeatureDataset(features.featureSize, features.features, local), {
      epochs: 12,
      batchSize: 16,
      learningRate: 0.003,
      seed: 4,
    });
    assert.equal(result.stopReason, 'completed');

    // The promoted head gets its own "none of mine" output, fine-tuned on the same features.
    const oldHead = withNoneOutput(head);
    assert.deepEqual(oldHead.outputs[0]!.shape, [null, 4]);
    await trainHead(
      oldHead,
      new FeatureDataset(features.featureSize, features.features, headLabels(await all.labels(), [0, 1, 2])),
      {
        epochs: 12,
        batchSize: 16,
        learningRate: 0.003,
        seed: 5,
      },
    );
    const classifier = new MultiHeadClassifier(base, [
      { model: oldHead, classIds: [0, 1, 2] },
      { model: newHead, classIds: [3, 4] },
    ]);
    const test = syntheticImages({ height: 12, width: 12, channels: 1, classes: 5, count: 150, seed: 3 });
    const inputs = Array.from({ length: 150 }, (_, i) => test.pixels.subarray(i * 144, (i + 1) * 144));
    const before = tf.memory().numTensors;
    const predictions = await classifier.classify(inputs, 3);
    assert.equal(tf.memory().numTensors, before);
    const truth = test.labels;
    for (const p of predictions) {
      assert.equal(p.length, 3);
      assert.ok(p[0]!.probability >= p[1]!.probability && p[1]!.probability >= p[2]!.probability);
      assert.ok(
        p.every((s) => s.classIndex >= 0 && s.classIndex <= 4),
        'global class ids, never "none"',
      );
    }
    const correct = (cls: number[]) => {
      const idx = predictions.map((_, i) => i).filter((i) => cls.includes(truth[i]!));
      return idx.filter((i) => predictions[i]![0]!.classIndex === truth[i]).length / idx.length;
    };
    const [oldAccuracy, newAccuracy, overall] = [correct([0, 1, 2]), correct([3, 4]), correct([0, 1, 2, 3, 4])];
    t.diagnostic(`top-1 accuracy: old classes ${oldAccuracy}, new classes ${newAccuracy}, all ${overall}`);
    assert.ok(
      oldAccuracy > 0.7 && newAccuracy > 0.5 && overall > 0.6,
      `old ${oldAccuracy}, new ${newAccuracy}, all ${overall} (chance 0.2)`,
    );
    // withNoneOutput kept what the promoted head had learned: before fine-tuning, the copy ranks
    // the old classes exactly as the original does (softmax ratios are unchanged by a new column).
    const copy = withNoneOutput(head);
    const probe = await computeFeatures(base, images(3, 30, 5));
    const x = tf.tensor2d(probe.features, [probe.size, probe.featureSize]);
    const ranks = tf.tidy(() => [
      tf.argMax(head.predict(x) as tf.Tensor, -1),
      tf.argMax((copy.predict(x) as tf.Tensor).slice([0, 0], [-1, 3]), -1),
    ]);
    assert.deepEqual(await ranks[1]!.data(), await ranks[0]!.data());
    tf.dispose([x, ...ranks]);
    copy.dispose();
    head.dispose();
    classifier.dispose();
  });
});
