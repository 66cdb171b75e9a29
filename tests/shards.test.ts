import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gql } from './support/graphql';
import { createModel, png, signUp } from './support/fixtures';
import { uploadDataset } from './support/datasets';
import { startTestServer, type TestServer } from './support/server';
import { syntheticZip, TRAIN, waitForTask } from './support/training';
import { waitFor } from './support/wait';

// 16×16 greyscale images in shards of 25; the local runner's shuffle buffer holds 8 KiB (32
// images), so its ~100 training images stream through it.
const PER_SHARD = 25;
let srv: TestServer;
let token: string;
const cache = mkdtempSync(join(tmpdir(), 'percept-test-shard-cache-'));
before(async () => {
  srv = await startTestServer({
    PERCEPT_LOCAL_RUNNERS: '1',
    PERCEPT_TICK_MS: '300',
    PERCEPT_SHARD_BYTES: String(PER_SHARD * 16 * 16),
    PERCEPT_SHARD_CACHE_DIR: cache,
    PERCEPT_SHUFFLE_BUFFER_KB: '8',
  });
  token = (await signUp(srv.graphqlUrl)).token;
  await waitFor('runner ready', async () => srv.percept.pool!.idle().length === 1, 60_000);
});
after(async () => {
  await srv.stop();
  rmSync(cache, { recursive: true, force: true });
});

/** Shard key → md5 of its bytes, for the model's shards in the blob store. */
async function shardBlobs(modelId: string): Promise<Map<string, string>> {
  const rows: { key: string; md5: string }[] = await srv.percept.db.query(
    `SELECT key, md5(data) AS md5 FROM blobs WHERE key LIKE $1`,
    [`models/${modelId}/shards/%`],
  );
  return new Map(rows.map((r) => [r.key, r.md5]));
}

async function importZip(modelId: string, zip: Buffer): Promise<void> {
  const res = await uploadDataset(srv, token, modelId, zip);
  assert.ok(res.data, JSON.stringify(res.errors));
  await waitForTask(srv.graphqlUrl, token, res.data.importDataset.id);
}

async function trainOnce(modelId: string): Promise<void> {
  const res = await gql(
    srv.graphqlUrl,
    TRAIN,
    { id: modelId, input: { candidates: 1, maxEpochs: 2, roundEpochs: 2 } },
    token,
  );
  assert.ok(res.data, JSON.stringify(res.errors));
  await waitForTask(srv.graphqlUrl, token, res.data.trainModel.id, 'SUCCEEDED', 300_000);
}

const cachedFiles = () => readdirSync(cache).filter((f) => !f.endsWith('.tmp'));

test('shards: written at import with mixed classes, rewritten only where the data changed, refetched by a runner that lost them', async () => {
  const m = await createModel(srv.graphqlUrl, token, 'sharded', await png(16, 16, 1));
  // A zip arrives class folder by class folder; shards must not.
  const first = await syntheticZip({ classes: 3, perClass: 40, side: 16, byFolder: true });
  await importZip(m.id, first.zip);
  const afterFirst = await shardBlobs(m.id);
  assert.equal(afterFirst.size, Math.ceil(120 / PER_SHARD));
  const classesPerShard: { key: string; classes: number; n: number }[] = await srv.percept.db.query(
    `SELECT "shardKey" AS key, count(DISTINCT "classId")::int AS classes, count(*)::int AS n
     FROM images WHERE "modelId" = $1 GROUP BY "shardKey"`,
    [m.id],
  );
  assert.ok(
    classesPerShard.every((s) => s.key !== null && s.classes >= 2),
    JSON.stringify(classesPerShard),
  );

  await trainOnce(m.id);
  // The runner streamed every shard through its disk cache.
  assert.deepEqual(cachedFiles().length, afterFirst.size);

  // A second import appends shards; the first import's are untouched.
  const second = await syntheticZip({ classes: 3, perClass: 40, side: 16, seed: 8, byFolder: true });
  await importZip(m.id, second.zip);
  const afterSecond = await shardBlobs(m.id);
  for (const [key, md5] of afterFirst) assert.equal(afterSecond.get(key), md5, `shard ${key} unchanged`);
  assert.equal(afterSecond.size, afterFirst.size + Math.ceil(120 / PER_SHARD));

  // Deleting an image rewrites its shard, and no other.
  const [victim]: { id: string; shardKey: string }[] = await srv.percept.db.query(
    `SELECT id, "shardKey" FROM images WHERE "modelId" = $1 AND "shardKey" = ANY($2) LIMIT 1`,
    [m.id, [...afterFirst.keys()]],
  );
  const deleted = await gql(srv.graphqlUrl, 'mutation($id: ID!) { deleteImage(id: $id) }', { id: victim!.id }, token);
  assert.ok(deleted.data?.deleteImage, JSON.stringify(deleted.errors));
  const afterDelete = await shardBlobs(m.id);
  assert.ok(!afterDelete.has(victim!.shardKey), 'the shard that held the deleted image is gone');
  const kept = [...afterSecond].filter(([key]) => key !== victim!.shardKey);
  for (const [key, md5] of kept) assert.equal(afterDelete.get(key), md5, `shard ${key} unchanged`);
  assert.equal(afterDelete.size, afterSecond.size, 'its other images went into one new shard');
  const [{ loose }] = await srv.percept.db.query(
    `SELECT count(*)::int AS loose FROM images WHERE "modelId" = $1 AND "shardKey" IS NULL`,
    [m.id],
  );
  assert.equal(loose, 0);

  // The runner's disk cache is wiped (a cleaned temporary directory): it fetches what it needs again.
  rmSync(cache, { recursive: true, force: true });
  await trainOnce(m.id);
  assert.equal(cachedFiles().length, afterDelete.size);
});
