import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { initBackend } from './backend';
import { disposeBatch, InMemoryImageDataset, type BatchOptions, type Dataset } from './dataset';
import { ShardedImageDataset, type ShardedEntries, type ShardReader } from './sharded-dataset';

// Image i is two bytes (i >> 8, i & 255), so a batch shows which images it holds and in what order.
const SHAPE = [1, 1, 2] as const;
const BYTES = 2;
const N = 600;
const CLASSES = 4;
const PER_SHARD = 50;
const pixelsOf = (i: number) => Uint8Array.of(i >> 8, i & 255);
// Worst case for mixing: images arrive class by class, so every shard holds one class only.
const labelOf = (i: number) => Math.floor((i * CLASSES) / N);

/** N images in shards of PER_SHARD, in image order; images listed in `loose` are in no shard. */
function fixture(loose = new Set<number>()): { entries: ShardedEntries; reader: ShardReader & { reads: string[] } } {
  const shard = new Int32Array(N);
  const slot = new Int32Array(N);
  const shards: number[][] = [];
  for (let i = 0; i < N; i++) {
    if (loose.has(i)) {
      shard[i] = -1;
      continue;
    }
    const s = Math.floor(i / PER_SHARD);
    (shards[s] ??= []).push(i);
    shard[i] = s;
    slot[i] = shards[s].length - 1;
  }
  const reads: string[] = [];
  return {
    entries: {
      ids: Array.from({ length: N }, (_, i) => `id-${i}`),
      labels: Int32Array.from({ length: N }, (_, i) => labelOf(i)),
      shard,
      slot,
    },
    reader: {
      reads,
      shard: async (s) => {
        reads.push(`shard ${s}`);
        const out = new Uint8Array(shards[s]!.length * BYTES);
        shards[s]!.forEach((i, k) => out.set(pixelsOf(i), k * BYTES));
        return out;
      },
      loose: async (ids) => {
        reads.push(`loose ${ids.length}`);
        const out = new Uint8Array(ids.length * BYTES);
        ids.forEach((id, k) => out.set(pixelsOf(Number(id.slice(3))), k * BYTES));
        return out;
      },
    },
  };
}

/** The image indices an epoch visits, batch by batch, with the labels the batches carried. */
async function visit(data: Dataset, options: BatchOptions): Promise<{ images: number[][]; labels: number[][] }> {
  const images: number[][] = [];
  const labels: number[][] = [];
  for await (const b of data.batches(options)) {
    const xs = Array.from(await b.xs.data());
    images.push(
      Array.from({ length: b.size }, (_, k) => Math.round(xs[2 * k]! * 255) * 256 + Math.round(xs[2 * k + 1]! * 255)),
    );
    labels.push(Array.from(await b.labels.data()));
    disposeBatch(b);
  }
  return { images, labels };
}

describe('ShardedImageDataset', () => {
  test('a dataset that fits the buffer gives exactly the batches of the in-memory dataset', async () => {
    await initBackend();
    const { entries, reader } = fixture(new Set([7, 300, 599]));
    const sharded = new ShardedImageDataset(SHAPE, entries, reader, { bufferBytes: N * BYTES });
    assert.equal(sharded.streamed, false);
    const pixels = new Uint8Array(N * BYTES);
    for (let i = 0; i < N; i++) pixels.set(pixelsOf(i), i * BYTES);
    const memory = new InMemoryImageDataset(SHAPE, pixels, entries.labels);
    for (const epoch of [0, 3]) {
      const options = { batchSize: 32, shuffleSeed: 11, epoch };
      assert.deepEqual(await visit(sharded, options), await visit(memory, options));
    }
    // Loaded once, kept for the next epochs: every shard read once.
    assert.equal(reader.reads.filter((r) => r.startsWith('shard')).length, N / PER_SHARD);
  });

  test('a streamed epoch visits every image once, in an order fixed by (seed, epoch) only', async () => {
    await initBackend();
    const options = (epoch: number) => ({ batchSize: 32, shuffleSeed: 5, epoch });
    const open = () => {
      const { entries, reader } = fixture(new Set([10, 11, 12]));
      return new ShardedImageDataset(SHAPE, entries, reader, { bufferBytes: 120 * BYTES, looseGroup: 2 });
    };
    const first = open();
    assert.equal(first.streamed, true);
    const epoch2 = await visit(first, options(2));
    const all = epoch2.images.flat();
    assert.deepEqual(
      [...all].sort((a, b) => a - b),
      Array.from({ length: N }, (_, i) => i),
    );
    epoch2.images.flat().forEach((img, k) => assert.equal(epoch2.labels.flat()[k], labelOf(img)));
    // A runner resuming at epoch 2 (a new process: a new dataset, nothing cached) replays it.
    assert.deepEqual(await visit(open(), options(2)), epoch2);
    assert.notDeepEqual((await visit(first, options(3))).images, epoch2.images);
  });

  test('streamed batches mix classes although every shard holds one class', async () => {
    await initBackend();
    const { entries, reader } = fixture();
    // The buffer holds four shards' worth: each batch draws from about as many.
    const data = new ShardedImageDataset(SHAPE, entries, reader, { bufferBytes: 4 * PER_SHARD * BYTES });
    const { labels } = await visit(data, { batchSize: 32, shuffleSeed: 1, epoch: 0 });
    const classesPerBatch = labels.map((l) => new Set(l).size);
    const mean = classesPerBatch.reduce((a, b) => a + b, 0) / classesPerBatch.length;
    assert.ok(mean >= 2.5, `batches held ${mean.toFixed(2)} classes on average`);
  });

  test('unshuffled batches follow labels() and ids, reading each shard once', async () => {
    await initBackend();
    const { entries, reader } = fixture(new Set([0, 599]));
    const data = new ShardedImageDataset(SHAPE, entries, reader, { bufferBytes: 64 * BYTES });
    const { images, labels } = await visit(data, { batchSize: 64 });
    assert.deepEqual(labels.flat(), Array.from(await data.labels()));
    assert.deepEqual(
      images.flat().map((i) => `id-${i}`),
      [...data.ids],
    );
    assert.equal(reader.reads.filter((r) => r.startsWith('shard')).length, N / PER_SHARD);
    // A subset keeps the order it is given (the feature cache relies on it).
    const picked = [5, 6, 200, 201, 598];
    const subset = data.subset(picked);
    assert.deepEqual(
      (await visit(subset, { batchSize: 2 })).images.flat().map((i) => `id-${i}`),
      picked.map((k) => data.ids[k]),
    );
  });

  test('a shard shorter than the index says is an error, not wrong pixels', async () => {
    await initBackend();
    const { entries, reader } = fixture();
    const short: ShardReader = { ...reader, shard: async (s) => (await reader.shard(s)).subarray(0, 10 * BYTES) };
    const data = new ShardedImageDataset(SHAPE, entries, short, { bufferBytes: 100 * BYTES });
    await assert.rejects(visit(data, { batchSize: 8, shuffleSeed: 1, epoch: 0 }), /holds 10 images/);
  });
});
