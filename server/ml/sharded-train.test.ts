import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type * as tf from './tf';
import type { InputShape } from './architecture';
import { DEFAULT_AUGMENTATION } from './augment';
import { buildModel } from './build';
import { MemoryArtifactStore } from './io';
import { ShardedImageDataset, type ShardReader } from './sharded-dataset';
import { syntheticImages } from './synthetic';
import { maxAbsDiff, tinyTestCnn, TRAINING_BACKENDS, useTrainingBackend } from './testing';
import { train } from './train';

const SHAPE: InputShape = [12, 12, 1];
const BYTES = 144;
const CLASSES = 3;
const PER_SHARD = 10;

/**
 * A streamed dataset (the shuffle buffer holds 20 of its 60 images) in shards of 10, opened anew
 * each time as a runner process would be: `reads` counts what it fetched.
 */
function open(reads: number[]): ShardedImageDataset {
  const { pixels, labels } = syntheticImages({
    height: 12,
    width: 12,
    channels: 1,
    classes: CLASSES,
    count: 60,
    seed: 3,
  });
  const reader: ShardReader = {
    shard: async (s) => {
      reads.push(s);
      return pixels.slice(s * PER_SHARD * BYTES, (s + 1) * PER_SHARD * BYTES);
    },
    loose: async () => {
      throw new Error('no loose images here');
    },
  };
  const entries = {
    ids: Array.from(labels, (_, i) => `image-${i}`),
    labels: Int32Array.from(labels),
    shard: Int32Array.from(labels, (_, i) => Math.floor(i / PER_SHARD)),
    slot: Int32Array.from(labels, (_, i) => i % PER_SHARD),
  };
  return new ShardedImageDataset(SHAPE, entries, reader, { bufferBytes: 20 * BYTES });
}

const weightsOf = (model: tf.LayersModel) => model.getWeights().flatMap((w) => Array.from(w.dataSync()));

test('a run stopped mid-epoch resumes from its checkpoint on a streamed dataset with the same sample order', async (t: TestContext) => {
  const reason = await useTrainingBackend(TRAINING_BACKENDS[0]!);
  if (reason) return t.skip(reason);
  const arch = tinyTestCnn(SHAPE, CLASSES);
  const options = { batchSize: 8, learningRate: 0.01, seed: 5, augment: DEFAULT_AUGMENTATION, epochs: 4 };
  const reads: number[] = [];
  const data = open(reads);
  assert.equal(data.streamed, true);

  const straight = buildModel(arch, { seed: 1 });
  const full = await train(straight, data, options);

  // Stopped in the middle of epoch 3: the checkpoint holds epochs 1 and 2.
  const store = new MemoryArtifactStore();
  const stop = new AbortController();
  const first = buildModel(arch, { seed: 1 });
  await train(first, open([]), {
    ...options,
    checkpoint: { store, key: 'ckpt' },
    signal: stop.signal,
    onBatch: (m) => {
      if (m.epoch === 3 && m.batch === 3) stop.abort();
    },
  });
  first.dispose();
  // Another runner with an empty cache: a new dataset that reads every shard again.
  const resumedReads: number[] = [];
  const resumed = buildModel(arch, { seed: 99 });
  const rest = await train(resumed, open(resumedReads), { ...options, checkpoint: { store, key: 'ckpt' } });
  assert.equal(rest.resumedFrom, 2);
  assert.equal(resumedReads.length, 2 * 6, 'epochs 3 and 4 read each of the 6 shards once');
  const diff = maxAbsDiff(weightsOf(straight), weightsOf(resumed));
  t.diagnostic(`max weight difference after resume: ${diff}`);
  assert.ok(diff <= 1e-5, `weights differ by ${diff}`);
  for (let i = 0; i < 4; i++)
    assert.ok(Math.abs(rest.history[i]!.loss - full.history[i]!.loss) < 1e-4, `epoch ${i + 1} loss`);
  straight.dispose();
  resumed.dispose();
});
