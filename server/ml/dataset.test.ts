import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from './tf';
import { initBackend } from './backend';
import {
  disposeBatch,
  FeatureDataset,
  imagesToTensor,
  InMemoryImageDataset,
  StreamedImageDataset,
  stratifiedSplit,
  type Dataset,
  type SampleSource,
} from './dataset';

const SHAPE = [2, 2, 1] as const;
// Image i is four pixels of value i, so a batch shows which images it holds and in what order.
const N = 10;
const pixels = Uint8Array.from({ length: N * 4 }, (_, k) => Math.floor(k / 4) * 25);
const labels = Int32Array.from({ length: N }, (_, i) => i % 3);

async function collect(data: Dataset, options: Parameters<Dataset['batches']>[0]) {
  const out: { xs: number[][]; labels: number[] }[] = [];
  for await (const b of data.batches(options)) {
    out.push({ xs: (await b.xs.array()) as number[][], labels: Array.from(await b.labels.data()) });
    assert.equal(b.xs.dtype, 'float32');
    disposeBatch(b);
  }
  return out;
}

/** The image indices a sequence of batches visited (from the pixel values). */
const visited = (batches: { xs: number[][] }[]) =>
  batches.flatMap((b) => (b.xs as unknown as number[][][][]).map((img) => Math.round((img[0]![0]![0]! * 255) / 25)));

function source(): SampleSource & { reads: number[][] } {
  const reads: number[][] = [];
  return {
    size: N,
    reads,
    async read(indices) {
      reads.push([...indices]);
      await new Promise((r) => setTimeout(r, 1));
      return indices.map((i) => ({ pixels: pixels.subarray(i * 4, i * 4 + 4), label: labels[i]! }));
    },
    async labels() {
      return labels.slice();
    },
  };
}

describe('datasets', () => {
  test('scale pixels to [0, 1] and batch in order without a seed', async () => {
    await initBackend('cpu');
    const batches = await collect(new InMemoryImageDataset(SHAPE, pixels, labels), { batchSize: 4 });
    assert.deepEqual(
      batches.map((b) => b.labels.length),
      [4, 4, 2],
    );
    assert.deepEqual(visited(batches), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(
      (batches[0]!.xs as unknown as number[][][][])[1],
      [
        [[25 / 255], [25 / 255]],
        [[25 / 255], [25 / 255]],
      ].map((r) => r.map((p) => [Math.fround(p[0]!)])),
    );
    assert.deepEqual(
      batches.flatMap((b) => b.labels),
      Array.from(labels),
    );
  });

  test('shuffle by (seed, epoch): reproducible, different per epoch, labels stay with their images', async () => {
    const data = new InMemoryImageDataset(SHAPE, pixels, labels);
    const order = async (seed: number, epoch: number) => {
      const batches = await collect(data, { batchSize: 3, shuffleSeed: seed, epoch });
      const seen = visited(batches);
      assert.deepEqual(
        batches.flatMap((b) => b.labels),
        seen.map((i) => labels[i]),
      );
      return seen;
    };
    const e0 = await order(7, 0);
    assert.deepEqual(await order(7, 0), e0);
    assert.notDeepEqual(await order(7, 1), e0);
    assert.notDeepEqual(await order(8, 0), e0);
    assert.deepEqual(
      [...e0].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  });

  test('a streamed source yields exactly the batches of the same data in memory, prefetching one ahead', async () => {
    const src = source();
    const streamed = await collect(new StreamedImageDataset(SHAPE, src), { batchSize: 4, shuffleSeed: 3, epoch: 2 });
    const inMemory = await collect(new InMemoryImageDataset(SHAPE, pixels, labels), {
      batchSize: 4,
      shuffleSeed: 3,
      epoch: 2,
    });
    assert.deepEqual(streamed, inMemory);
    assert.deepEqual(src.reads.flat(), visited(inMemory));
    assert.deepEqual(await new StreamedImageDataset(SHAPE, src).labels(), labels);
    // The next batch is already being read while the consumer holds the first one.
    const ahead = source();
    for await (const b of new StreamedImageDataset(SHAPE, ahead).batches({ batchSize: 4 })) {
      assert.equal(ahead.reads.length, 2);
      disposeBatch(b);
      break;
    }
  });

  test('stopping a stream early frees everything and a failed prefetch does not crash', async () => {
    const src = source();
    let calls = 0;
    const failing: SampleSource = {
      ...src,
      read: (i) => (++calls === 2 ? Promise.reject(new Error('gone')) : src.read(i)),
      labels: src.labels,
    };
    const before = tf.memory().numTensors;
    for await (const b of new StreamedImageDataset(SHAPE, failing).batches({ batchSize: 4 })) {
      disposeBatch(b);
      break;
    }
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(tf.memory().numTensors, before);
    const all = async () => {
      for await (const b of new StreamedImageDataset(SHAPE, failing).batches({ batchSize: 4 })) disposeBatch(b);
    };
    calls = 0;
    await assert.rejects(all, /gone/);
  });

  test('reject images of the wrong size and bad labels', async () => {
    assert.throws(() => new InMemoryImageDataset(SHAPE, pixels.subarray(1), labels), /bytes/);
    assert.throws(() => new InMemoryImageDataset(SHAPE, pixels, [...labels.subarray(1), -1]), /label/);
    assert.throws(() => new InMemoryImageDataset(SHAPE, [new Uint8Array(4), new Uint8Array(3)], [0, 1]), /image 1/);
    const wrong: SampleSource = {
      size: 1,
      read: async () => [{ pixels: new Uint8Array(5), label: 0 }],
      labels: async () => Int32Array.of(0),
    };
    await assert.rejects(collect(new StreamedImageDataset(SHAPE, wrong), { batchSize: 1 }), /5 bytes/);
    assert.throws(() => imagesToTensor([new Uint8Array(3)], SHAPE), /expected 4/);
  });

  test('subset and feature datasets', async () => {
    const sub = new InMemoryImageDataset(SHAPE, pixels, labels).subset([9, 2]);
    assert.deepEqual(visited(await collect(sub, { batchSize: 8 })), [9, 2]);
    assert.deepEqual(await sub.labels(), Int32Array.of(labels[9]!, labels[2]!));
    const features = new FeatureDataset(
      3,
      Float32Array.from({ length: 6 }, (_, i) => i),
      [1, 0],
    );
    const batches = await collect(features, { batchSize: 2 });
    assert.deepEqual(batches[0]!.xs, [
      [0, 1, 2],
      [3, 4, 5],
    ]);
    assert.throws(() => new FeatureDataset(4, new Float32Array(6), [0, 1]), /features/);
  });

  test('stratifiedSplit is reproducible, disjoint, complete and proportional per class', () => {
    const many = Int32Array.from({ length: 300 }, (_, i) => (i < 200 ? 0 : i < 280 ? 1 : 2));
    const split = stratifiedSplit(many, { validation: 0.1, test: 0.2 }, 42);
    assert.deepEqual(stratifiedSplit(many, { validation: 0.1, test: 0.2 }, 42), split);
    assert.notDeepEqual(stratifiedSplit(many, { validation: 0.1, test: 0.2 }, 43), split);
    const all = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
    assert.deepEqual(
      all,
      Array.from({ length: 300 }, (_, i) => i),
    );
    const count = (idx: Int32Array, c: number) => Array.from(idx).filter((i) => many[i] === c).length;
    assert.deepEqual(
      [0, 1, 2].map((c) => count(split.test, c)),
      [40, 16, 4],
    );
    assert.deepEqual(
      [0, 1, 2].map((c) => count(split.validation, c)),
      [20, 8, 2],
    );
    assert.throws(() => stratifiedSplit(many, { validation: 0.5, test: 0.5 }, 1), /validation \+ test/);
  });
});
