// The whole library in the order the platform uses it: generate → build → train → evaluate →
// save → load → classify, on a small synthetic data set, on each backend.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import * as tf from './tf';
import { parseArchitecture, type InputShape } from './architecture';
import { buildModel } from './build';
import { InMemoryImageDataset, stratifiedSplit } from './dataset';
import { evaluate } from './evaluate';
import { generateCandidates } from './generate';
import { ImageClassifier } from './infer';
import { DirectoryArtifactStore, saveModel } from './io';
import { syntheticImages } from './synthetic';
import { TRAINING_BACKENDS, useTrainingBackend } from './testing';
import { train } from './train';

const SHAPE: InputShape = [16, 16, 1];
const CLASSES = 4;
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('end to end', () => {
  for (const backend of TRAINING_BACKENDS) {
    test(`generate → build → train → evaluate → save → load → classify on ${backend}`, async (t: TestContext) => {
      const reason = await useTrainingBackend(backend);
      if (reason) return t.skip(reason);
      const candidates = generateCandidates({ inputShape: SHAPE, classes: CLASSES, count: 3 });
      // The convolutional candidate, so that convolution and pooling gradients are exercised.
      const arch = candidates.find((a) => a.family === 'cnn');
      assert.ok(arch, `no CNN among ${candidates.map((a) => a.name).join('; ')}`);

      const images = syntheticImages({
        height: SHAPE[0],
        width: SHAPE[1],
        channels: SHAPE[2],
        classes: CLASSES,
        count: 400,
        seed: 1,
      });
      const all = new InMemoryImageDataset(SHAPE, images.pixels, images.labels);
      const split = stratifiedSplit(images.labels, { validation: 0.2, test: 0.2 }, 1);
      const model = buildModel(arch, { seed: 1 });
      const start = tf.memory().numTensors;
      const result = await train(model, all.subset(split.train), {
        epochs: 6,
        batchSize: 16,
        learningRate: 0.003,
        seed: 2,
        validation: all.subset(split.validation),
      });
      assert.equal(result.stopReason, 'completed');

      const testSet = all.subset(split.test);
      const evaluation = await evaluate(model, testSet);
      t.diagnostic(
        `${arch.name}: test accuracy ${evaluation.accuracy} after ${result.epochs} epochs (chance ${1 / CLASSES})`,
      );
      assert.ok(evaluation.accuracy >= 0.8, `test accuracy ${evaluation.accuracy}`);
      assert.equal(evaluation.count, split.test.length);
      assert.equal(tf.memory().numTensors, start, 'training and evaluation leaked tensors');

      const dir = await mkdtemp(join(tmpdir(), 'percept-ml-e2e-'));
      dirs.push(dir);
      const store = new DirectoryArtifactStore(dir);
      await saveModel(model, store, `models/${arch.id}`, { architecture: arch });
      const classifier = await ImageClassifier.load(store, `models/${arch.id}`);
      assert.deepEqual(
        parseArchitecture((classifier.model.getUserDefinedMetadata() as { architecture?: unknown }).architecture),
        arch,
      );
      assert.deepEqual(classifier.inputShape, SHAPE);
      assert.equal(classifier.classes, CLASSES);

      const bytes = SHAPE[0] * SHAPE[1] * SHAPE[2];
      const inputs = Array.from(split.test, (i) => images.pixels.subarray(i * bytes, (i + 1) * bytes));
      const predictions = await classifier.classify(inputs, CLASSES);
      const expected = tf.tidy(() => {
        const x = tf.tensor4d(Float32Array.from(inputs.flatMap((p) => Array.from(p, (v) => v / 255))), [
          inputs.length,
          ...SHAPE,
        ]);
        return tf.argMax(model.predict(x) as tf.Tensor, -1).arraySync() as number[];
      });
      assert.deepEqual(
        predictions.map((p) => p[0]!.classIndex),
        expected,
        'the loaded model predicts as the trained one',
      );
      const correct = predictions.filter((p, k) => p[0]!.classIndex === images.labels[split.test[k]!]).length;
      assert.equal(correct / inputs.length, evaluation.accuracy);
      for (const p of predictions) {
        assert.deepEqual(p.map((s) => s.classIndex).sort(), [0, 1, 2, 3]);
        assert.ok(p.every((s, i) => i === 0 || s.probability <= p[i - 1]!.probability));
        assert.ok(Math.abs(p.reduce((a, s) => a + s.probability, 0) - 1) < 1e-5);
      }
      assert.equal((await classifier.classify(inputs.slice(0, 2), 2))[0]!.length, 2, 'top-k');
      model.dispose();
      classifier.dispose();
    });
  }
});
