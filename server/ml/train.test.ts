import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import * as tf from './tf';
import type { Architecture, InputShape } from './architecture';
import { DEFAULT_AUGMENTATION } from './augment';
import { buildModel } from './build';
import { InMemoryImageDataset } from './dataset';
import { MemoryArtifactStore } from './io';
import { maxAbsDiff, syntheticDataset, tinyTestCnn, TRAINING_BACKENDS, useTrainingBackend } from './testing';
import { train, type BatchMetrics, type EpochMetrics } from './train';

/** Resuming at epoch k and training on must match training straight through within this. */
const RESUME_TOLERANCE = 1e-5;

const SHAPE: InputShape = [12, 12, 1];
const CLASSES = 3;

const tinyCnn = (batchNorm = true): Architecture => tinyTestCnn(SHAPE, CLASSES, batchNorm);

const data = (count: number, seed: number) => syntheticDataset(SHAPE, CLASSES, count, seed);

const weightsOf = (model: tf.LayersModel) => model.getWeights().flatMap((w) => Array.from(w.dataSync()));

describe('train', () => {
  for (const backend of TRAINING_BACKENDS) {
    describe(`on ${backend}`, () => {
      test('learns, reports every batch and epoch, and frees every tensor it made', async (t: TestContext) => {
        const reason = await useTrainingBackend(backend);
        if (reason) return t.skip(reason);
        const model = buildModel(tinyCnn(false), { seed: 1 });
        const start = tf.memory().numTensors;
        const batches: BatchMetrics[] = [];
        const epochs: EpochMetrics[] = [];
        const result = await train(model, data(192, 1), {
          epochs: 8,
          batchSize: 24,
          learningRate: 0.005,
          seed: 2,
          validation: data(48, 2),
          onBatch: (m) => void batches.push(m),
          onEpoch: (m) => void epochs.push(m),
        });
        assert.equal(tf.memory().numTensors, start, 'tensors leaked');
        model.dispose();
        assert.equal(result.stopReason, 'completed');
        assert.equal(result.epochs, 8);
        assert.deepEqual(result.history, epochs);
        assert.equal(batches.length, 8 * 8);
        assert.deepEqual(
          batches.slice(0, 9).map((b) => [b.epoch, b.batch, b.batches]),
          [
            [1, 1, 8],
            [1, 2, 8],
            [1, 3, 8],
            [1, 4, 8],
            [1, 5, 8],
            [1, 6, 8],
            [1, 7, 8],
            [1, 8, 8],
            [2, 1, 8],
          ],
        );
        for (const m of [...batches, ...epochs])
          assert.ok(m.imagesPerSecond > 0 && Number.isFinite(m.loss) && m.accuracy >= 0 && m.accuracy <= 1);
        for (const e of epochs) assert.ok(e.valAccuracy !== undefined && e.valLoss !== undefined && e.seconds > 0);
        assert.ok(epochs.at(-1)!.loss < epochs[0]!.loss * 0.7, `loss ${epochs[0]!.loss} → ${epochs.at(-1)!.loss}`);
        assert.ok(
          epochs.at(-1)!.valAccuracy! > 0.8,
          `validation accuracy ${epochs.at(-1)!.valAccuracy} (chance is 0.33)`,
        );
        assert.equal(result.bestValAccuracy, Math.max(...epochs.map((e) => e.valAccuracy!)));
      });

      test(`resuming from a checkpoint matches training straight through, with the full recipe (max weight diff ≤ ${RESUME_TOLERANCE})`, async (t: TestContext) => {
        const reason = await useTrainingBackend(backend);
        if (reason) return t.skip(reason);
        const arch = tinyCnn();
        const [trainSet, validation] = [data(48, 3), data(24, 4)];
        // Schedule, augmentation, smoothing and decay all depend on the step: a resume must replay them.
        const options = {
          batchSize: 16,
          learningRate: 0.01,
          seed: 5,
          validation,
          schedule: { epochs: 4 },
          augment: DEFAULT_AUGMENTATION,
          labelSmoothing: 0.1,
          weightDecay: 0.05,
        };
        const store = new MemoryArtifactStore();

        const straight = buildModel(arch, { seed: 1 });
        const full = await train(straight, trainSet, { ...options, epochs: 4 });

        const first = buildModel(arch, { seed: 1 });
        await train(first, trainSet, { ...options, epochs: 2, checkpoint: { store, key: 'ckpt' } });
        first.dispose();
        // A different initial seed: whatever the resumed model ends up with came from the checkpoint.
        const resumed = buildModel(arch, { seed: 99 });
        const rest = await train(resumed, trainSet, { ...options, epochs: 4, checkpoint: { store, key: 'ckpt' } });

        assert.equal(rest.resumedFrom, 2);
        assert.equal(rest.epochs, 4);
        assert.deepEqual(
          rest.history.map((e) => e.epoch),
          [1, 2, 3, 4],
        );
        const diff = maxAbsDiff(weightsOf(straight), weightsOf(resumed));
        t.diagnostic(`max weight difference after resume: ${diff}`);
        assert.ok(diff <= RESUME_TOLERANCE, `weights differ by ${diff}`);
        for (let i = 0; i < 4; i++)
          assert.ok(Math.abs(rest.history[i]!.loss - full.history[i]!.loss) < 1e-4, `epoch ${i + 1} loss`);
        // Training already finished: a further call with the same target does nothing.
        const again = await train(resumed, trainSet, { ...options, epochs: 4, checkpoint: { store, key: 'ckpt' } });
        assert.equal(again.resumedFrom, 4);
        assert.equal(maxAbsDiff(weightsOf(resumed), weightsOf(straight)), diff);
        straight.dispose();
        resumed.dispose();
      });

      test('stops early when validation accuracy stalls, and stays stopped on resume', async (t: TestContext) => {
        const reason = await useTrainingBackend(backend);
        if (reason) return t.skip(reason);
        const model = buildModel(tinyCnn(), { seed: 1 });
        const store = new MemoryArtifactStore();
        // Learning rate 0: the validation accuracy can never improve after the first epoch.
        const options = {
          epochs: 10,
          batchSize: 16,
          learningRate: 0,
          validation: data(16, 6),
          patience: 2,
          checkpoint: { store, key: 'c' },
        };
        const result = await train(model, data(16, 5), options);
        assert.equal(result.stopReason, 'early-stopped');
        assert.equal(result.epochs, 3);
        assert.equal(result.bestEpoch, 1);
        const resumed = await train(model, data(16, 5), options);
        assert.equal(resumed.stopReason, 'early-stopped');
        assert.equal(resumed.epochs, 3);
        model.dispose();
      });

      test('refuses labels the model has no output for', async (t: TestContext) => {
        const reason = await useTrainingBackend(backend);
        if (reason) return t.skip(reason);
        const model = buildModel(tinyCnn(), { seed: 1 });
        const bad = new InMemoryImageDataset(SHAPE, new Uint8Array(2 * 144), [0, CLASSES]);
        await assert.rejects(
          train(model, bad, { epochs: 1 }),
          /training label 3 \(sample 1\) is out of range for a model of 3 classes/,
        );
        await assert.rejects(train(model, data(8, 1), { epochs: 1, validation: bad }), /validation label 3/);
        model.dispose();
      });

      test('an abort stops within the batch and frees everything', async (t: TestContext) => {
        const reason = await useTrainingBackend(backend);
        if (reason) return t.skip(reason);
        const model = buildModel(tinyCnn(), { seed: 1 });
        const start = tf.memory().numTensors;
        const controller = new AbortController();
        const seen: string[] = [];
        const result = await train(model, data(64, 7), {
          epochs: 5,
          batchSize: 8,
          signal: controller.signal,
          onBatch: (m) => {
            seen.push(`${m.epoch}.${m.batch}`);
            if (m.epoch === 2 && m.batch === 3) controller.abort();
          },
        });
        assert.equal(result.stopReason, 'aborted');
        assert.equal(result.epochs, 1, 'the interrupted epoch does not count');
        assert.equal(seen.at(-1), '2.3', 'no batch runs after the abort');
        assert.equal(tf.memory().numTensors, start);
        model.dispose();
      });
    });
  }
});
