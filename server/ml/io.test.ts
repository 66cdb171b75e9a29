import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as tf from './tf';
import { initBackend } from './backend';
import { buildModel } from './build';
import { encodeCheckpoint, restoreCheckpoint, type TrainingState } from './checkpoint';
import { generateCandidates } from './generate';
import { DirectoryArtifactStore, loadModel, MemoryArtifactStore, saveModel, type ArtifactStore } from './io';

const arch = generateCandidates({ inputShape: [16, 16, 3], classes: 5, count: 3 }).find((a) => a.family === 'cnn')!;
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempStore(): Promise<DirectoryArtifactStore> {
  const dir = await mkdtemp(join(tmpdir(), 'percept-ml-io-'));
  dirs.push(dir);
  return new DirectoryArtifactStore(dir);
}

describe('io', () => {
  test('artifact stores put and get bytes, and return null for missing keys', async () => {
    for (const store of [new MemoryArtifactStore(), await tempStore()] as ArtifactStore[]) {
      await store.put('a/b/c.bin', Buffer.from([1, 2, 3]));
      assert.deepEqual(await store.get('a/b/c.bin'), Buffer.from([1, 2, 3]));
      await store.put('a/b/c.bin', Buffer.from([4]));
      assert.deepEqual(await store.get('a/b/c.bin'), Buffer.from([4]));
      assert.equal(await store.get('a/missing'), null);
    }
  });

  test('the directory store refuses keys that escape its root and leaves no temp files', async () => {
    const store = await tempStore();
    for (const key of ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a\\..\\b']) {
      await assert.rejects(store.put(key, Buffer.from('x')), /invalid artifact key/, key);
    }
    await store.put('m/model.json', Buffer.from('{}'));
    assert.deepEqual(await readdir(join(store.root, 'm')), ['model.json']);
  });

  test('a saved model is a standard Layers model.json + weights.bin and loads with identical outputs', async () => {
    await initBackend('cpu');
    const store = await tempStore();
    const model = buildModel(arch, { seed: 3 });
    await saveModel(model, store, 'models/m1', { architecture: arch });
    const json = JSON.parse(await readFile(join(store.root, 'models/m1/model.json'), 'utf8'));
    assert.equal(json.format, 'layers-model');
    assert.equal(json.modelTopology.class_name, 'Sequential');
    assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
    const weightBytes = (await readFile(join(store.root, 'models/m1/weights.bin'))).length;
    assert.equal(weightBytes, arch.params * 4);
    assert.deepEqual(json.userDefinedMetadata.architecture, arch);

    const loaded = await loadModel(store, 'models/m1');
    const x = tf.randomUniform([3, 16, 16, 3], 0, 1, 'float32', 1);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    assert.deepEqual(await b.data(), await a.data());
    assert.deepEqual(loaded.getUserDefinedMetadata(), { architecture: arch });
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
    await assert.rejects(loadModel(store, 'models/none'), /no model at "models\/none\/model.json"/);
  });

  test('the saved files load over HTTP the way a browser loads them (tf.loadLayersModel(url))', async () => {
    await initBackend('cpu');
    const store = new MemoryArtifactStore();
    const model = buildModel(arch, { seed: 5 });
    await saveModel(model, store, 'models/web');
    const server = createServer((req, res) => {
      void store.get(decodeURIComponent(req.url!.slice(1))).then((body) => {
        res.writeHead(body ? 200 : 404).end(body ?? undefined);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const loaded = await tf.loadLayersModel(`http://127.0.0.1:${port}/models/web/model.json`);
      const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 3);
      const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
      assert.deepEqual(await b.data(), await a.data());
      tf.dispose([x, a, b]);
      loaded.dispose();
    } finally {
      server.close();
      model.dispose();
    }
  });

  test('a checkpoint restores weights and optimizer state into a fresh model', async () => {
    await initBackend('cpu');
    const model = buildModel(arch, { seed: 3 });
    const optimizer = tf.train.adam(0.01);
    const x = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 2);
    const y = tf.oneHot(tf.tensor1d([0, 4], 'int32'), 5);
    const step = (m: tf.LayersModel, o: tf.Optimizer) => {
      const variables = m.trainableWeights.map((w) => w.read() as tf.Variable);
      tf.dispose(
        o.minimize(() => tf.losses.softmaxCrossEntropy(y, m.apply(x) as tf.Tensor) as tf.Scalar, true, variables)!,
      );
    };
    step(model, optimizer);
    const state: TrainingState = {
      epoch: 3,
      seed: 1,
      history: [],
      bestValAccuracy: 0.5,
      bestEpoch: 2,
      sinceBest: 1,
      earlyStopped: false,
    };
    const blob = await encodeCheckpoint(model, optimizer, state);

    const before = tf.memory().numTensors;
    const fresh = buildModel(arch, { seed: 4 });
    const freshOptimizer = tf.train.adam(0.01);
    assert.deepEqual(await restoreCheckpoint(blob, fresh, freshOptimizer), state);
    // The next step must be the same from both: same weights and the same Adam moments.
    step(model, optimizer);
    step(fresh, freshOptimizer);
    const flat = (m: tf.LayersModel) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
    assert.deepEqual(flat(fresh), flat(model));

    const dense = generateCandidates({ inputShape: [16, 16, 3], classes: 5, count: 3 }).find(
      (a) => a.family === 'dense',
    )!;
    const other = buildModel(dense, { seed: 1 });
    const unused = tf.train.adam();
    await assert.rejects(restoreCheckpoint(blob, other, unused), /does not match/);
    await assert.rejects(
      restoreCheckpoint(Buffer.from('nonsense'), other, unused),
      /not a Percept training checkpoint/,
    );
    unused.dispose();
    other.dispose();
    fresh.dispose();
    freshOptimizer.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
  });
});
