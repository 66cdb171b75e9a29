import assert from 'node:assert/strict';
import { test } from 'node:test';
import { featureSize } from './architecture';
import { buildModel } from './build';
import { InMemoryImageDataset } from './dataset';
import { computeFeatures, splitModel } from './expand';
import { cachedFeatures, decodeFeatures, encodeFeatures } from './feature-cache';
import { generateCandidates } from './generate';
import { MemoryArtifactStore } from './io';
import { syntheticImages } from './synthetic';
import { useTrainingBackend } from './testing';

test('a feature cache round-trips through its encoding', () => {
  const cache = { featureSize: 3, ids: ['a', 'b'], features: Float32Array.of(1, 2, 3, 4.5, -5, 6) };
  const decoded = decodeFeatures(encodeFeatures(cache));
  assert.deepEqual(decoded, cache);
  assert.throws(() => decodeFeatures(Buffer.from('nope, not a cache')), /not a feature cache/);
});

test('cachedFeatures computes each image once, reuses the cache, and drops deleted images', async () => {
  await useTrainingBackend('cpu');
  const arch = generateCandidates({ inputShape: [8, 8, 1], classes: 3, expandable: true })[0]!;
  const model = buildModel(arch, { seed: 1 });
  const { base, head } = splitModel(model, arch);
  model.dispose();
  head.dispose();
  const s = syntheticImages({ height: 8, width: 8, channels: 1, classes: 3, count: 30, seed: 1 });
  const all = new InMemoryImageDataset([8, 8, 1], s.pixels, s.labels);
  const ids = Array.from({ length: 30 }, (_, i) => `img-${i}`);
  const expected = await computeFeatures(base, all);
  const size = featureSize(arch);
  const store = new MemoryArtifactStore();
  const subset = (rows: number[]) => ({ ids: rows.map((r) => ids[r]!), images: all.subset(rows) });
  const rowsOf = (features: Float32Array, rows: number[]) =>
    rows.map((_, k) => Array.from(features.subarray(k * size, (k + 1) * size)));
  const wanted = (rows: number[]) => rows.map((r) => Array.from(expected.features.subarray(r * size, (r + 1) * size)));

  const first = Array.from({ length: 20 }, (_, i) => i);
  const a = await cachedFeatures(store, 'f.bin', base, subset(first));
  await a.saved;
  assert.deepEqual({ reused: a.reused, computed: a.computed }, { reused: 0, computed: 20 });
  assert.deepEqual(rowsOf(a.features, first), wanted(first));

  // Ten images added, five deleted, and a new order: only the ten are computed.
  const second = [...Array.from({ length: 10 }, (_, i) => 29 - i), ...Array.from({ length: 15 }, (_, i) => i + 5)];
  const b = await cachedFeatures(store, 'f.bin', base, subset(second));
  await b.saved;
  assert.deepEqual({ reused: b.reused, computed: b.computed }, { reused: 15, computed: 10 });
  assert.deepEqual(rowsOf(b.features, second), wanted(second));
  assert.deepEqual(decodeFeatures((await store.get('f.bin'))!).ids.sort(), second.map((r) => ids[r]!).sort());

  const c = await cachedFeatures(store, 'f.bin', base, subset(second));
  assert.deepEqual({ reused: c.reused, computed: c.computed }, { reused: 25, computed: 0 });
  base.dispose();
});
