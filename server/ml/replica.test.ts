import assert from 'node:assert/strict';
import { before, describe, test, type TestContext } from 'node:test';
import * as tf from './tf';
import type { Architecture, InputShape } from './architecture';
import { DEFAULT_AUGMENTATION } from './augment';
import type { BackendName } from './backend';
import { buildModel } from './build';
import { MemoryArtifactStore } from './io';
import { GradientReplica } from './replica';
import { maxAbsDiff, syntheticDataset, tinyTestCnn, useTrainingBackend } from './testing';
import { train } from './train';

const SHAPE: InputShape = [12, 12, 1];
const CLASSES = 3;
const BACKEND: BackendName = 'wasm';

const data = (count: number, seed: number) => syntheticDataset(SHAPE, CLASSES, count, seed);

const weightsOf = (model: tf.LayersModel) => model.getWeights().flatMap((w) => Array.from(w.dataSync()));

/** Without dropout or batch norm a step's gradient does not depend on how the batch is split. */
function deterministicCnn(): Architecture {
  const arch = tinyTestCnn(SHAPE, CLASSES, false);
  return { ...arch, layers: arch.layers.filter((l) => l.kind !== 'dropout') };
}

describe(`a training replica (${BACKEND})`, () => {
  let skip: string | null = null;
  before(async () => {
    skip = await useTrainingBackend(BACKEND);
  });

  test('half of each batch on the replica gives the step of the whole batch', async (t: TestContext) => {
    if (skip) return t.skip(skip);
    const arch = deterministicCnn();
    const set = data(60, 1);
    const options = { epochs: 3, batchSize: 16, learningRate: 0.01, seed: 4, schedule: { epochs: 3 } };
    const alone = buildModel(arch, { seed: 1 });
    const single = await train(alone, set, options);
    const tensors = tf.memory().numTensors;
    const replica = await GradientReplica.start({ architecture: arch, seed: 1, backend: BACKEND });
    const shared = buildModel(arch, { seed: 1 });
    try {
      const split = await train(shared, set, { ...options, replica });
      const diff = maxAbsDiff(weightsOf(alone), weightsOf(shared));
      t.diagnostic(`max weight difference after 3 epochs (12 steps): ${diff}`);
      assert.ok(diff < 1e-4, `weights differ by ${diff}`);
      for (let i = 0; i < 3; i++) {
        assert.ok(Math.abs(split.history[i]!.loss - single.history[i]!.loss) < 1e-4, `epoch ${i + 1} loss`);
        assert.equal(split.history[i]!.accuracy, single.history[i]!.accuracy, `epoch ${i + 1} accuracy`);
      }
      assert.equal(tf.memory().numTensors, tensors + shared.weights.length, 'no tensors left behind but the model');
    } finally {
      alone.dispose();
      shared.dispose();
      await replica.dispose();
    }
  });

  test('with a replica, a resumed run replays the straight one (dropout, batch norm, the full recipe)', async (t: TestContext) => {
    if (skip) return t.skip(skip);
    const arch = tinyTestCnn(SHAPE, CLASSES, true);
    const [set, validation] = [data(48, 3), data(24, 4)];
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
    const replicas = [
      await GradientReplica.start({ architecture: arch, seed: 1, backend: BACKEND }),
      await GradientReplica.start({ architecture: arch, seed: 1, backend: BACKEND }),
    ];
    const store = new MemoryArtifactStore();
    const straight = buildModel(arch, { seed: 1 });
    const first = buildModel(arch, { seed: 1 });
    const resumed = buildModel(arch, { seed: 99 });
    try {
      const full = await train(straight, set, { ...options, epochs: 4, replica: replicas[0] });
      await train(first, set, { ...options, epochs: 2, checkpoint: { store, key: 'ckpt' }, replica: replicas[0] });
      // Another replica, as a later round on another runner process would start.
      const rest = await train(resumed, set, {
        ...options,
        epochs: 4,
        checkpoint: { store, key: 'ckpt' },
        replica: replicas[1],
      });
      assert.equal(rest.resumedFrom, 2);
      const diff = maxAbsDiff(weightsOf(straight), weightsOf(resumed));
      t.diagnostic(`max weight difference after resume: ${diff}`);
      assert.ok(diff <= 1e-5, `weights differ by ${diff}`);
      for (let i = 0; i < 4; i++)
        assert.ok(Math.abs(rest.history[i]!.loss - full.history[i]!.loss) < 1e-4, `epoch ${i + 1} loss`);
    } finally {
      for (const m of [straight, first, resumed]) m.dispose();
      for (const r of replicas) await r.dispose();
    }
  });

  test('a replica that is gone fails the step with a clear error instead of hanging', async (t: TestContext) => {
    if (skip) return t.skip(skip);
    const arch = deterministicCnn();
    const replica = await GradientReplica.start({ architecture: arch, seed: 1, backend: BACKEND });
    await replica.dispose();
    const model = buildModel(arch, { seed: 1 });
    try {
      await assert.rejects(
        train(model, data(32, 2), { epochs: 1, batchSize: 16, replica }),
        /training replica was disposed/,
      );
    } finally {
      model.dispose();
    }
  });
});
