import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { labelledImages } from '../server/datasets/image.queries';
import { assignSplit } from '../server/datasets/split';
import { createModel, png, signUp } from './support/fixtures';
import { errorCode, gql } from './support/graphql';
import { startTestServer, type TestServer } from './support/server';
import { syntheticZip, trainedModel, type SyntheticSet } from './support/training';

// The review queue: unsure answers kept (only when asked), listed most uncertain first, labelled
// into the training data or discarded.
let srv: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
let other: Awaited<ReturnType<typeof signUp>>;
let modelId: string;
let otherModelClass: string;
let data: SyntheticSet;
let classes: { id: string; name: string; index: number }[];

const CLASSIFY = `mutation($m: ID!, $i: ImageInput!, $keep: Boolean) {
  classify(modelId: $m, image: $i, topK: 1, keep: $keep) { predictions { classIndex probability } accepted threshold keptImageId }
}`;
const QUEUE = `query($m: ID!, $first: Int, $after: String) {
  reviewQueue(modelId: $m, first: $first, after: $after) {
    items { image { id thumbnailUrl classId } prediction { className classIndex probability } margin keptReason }
    totalCount endCursor hasNextPage labelledSinceTraining
  }
}`;
const KEEP_UNCERTAIN = `mutation($m: ID!, $k: Boolean!, $cap: Int, $days: Int) {
  setKeepUncertain(modelId: $m, keepUncertain: $k, cap: $cap, retentionDays: $days) { keepUncertain keepUncertainCap keepUncertainDays }
}`;
const LABEL = `mutation($ids: [ID!]!, $c: ID!) { labelImages(ids: $ids, classId: $c) }`;
const DISCARD = `mutation($ids: [ID!]!) { discardImages(ids: $ids) }`;
const DATASET = `query($m: ID!) { dataset(modelId: $m) { imageCount classes { id name imageCount } } }`;

interface QueueItem {
  image: { id: string; thumbnailUrl: string | null; classId: string | null };
  prediction: { className: string; classIndex: number; probability: number }[];
  margin: number | null;
  keptReason: string | null;
}

before(async () => {
  srv = await startTestServer({ PERCEPT_LOCAL_RUNNERS: '1' });
  await signUp(srv.graphqlUrl); // the admin, who could see every model
  owner = await signUp(srv.graphqlUrl);
  other = await signUp(srv.graphqlUrl);
  data = await syntheticZip({ classes: 3, perClass: 30, side: 12, heldOutPerClass: 4 });
  modelId = await trainedModel(srv.graphqlUrl, owner.token, { name: 'review', side: 12, data, maxEpochs: 2 });
  classes = (
    await gql(
      srv.graphqlUrl,
      'query($m: ID!) { dataset(modelId: $m) { classes { id name index } } }',
      { m: modelId },
      owner.token,
    )
  ).data!.dataset.classes;
  // Another user's model, only its class is needed: labels may not cross models.
  const theirs = (await createModel(srv.graphqlUrl, other.token, 'theirs', await png(12, 12, 1))).id;
  await srv.percept.db.query(`INSERT INTO model_classes ("modelId", name, index) VALUES ($1, 'x', 0)`, [theirs]);
  [{ id: otherModelClass }] = await srv.percept.db.query(`SELECT id FROM model_classes WHERE "modelId" = $1`, [theirs]);
});
after(() => srv?.stop());

const kept = async (): Promise<{ id: string; keptReason: string; classId: string | null }[]> =>
  srv.percept.db.query(
    `SELECT id, "keptReason", "classId" FROM images WHERE "modelId" = $1 AND source = 'CLASSIFIED' ORDER BY "createdAt"`,
    [modelId],
  );
const blobCount = async () => (await srv.percept.db.query(`SELECT count(*)::int AS n FROM blobs`))[0].n as number;

/** Every class's threshold at once: 1 makes every answer unsure (below 1), 0 every answer accepted. */
async function allThresholds(t: number) {
  for (const c of classes) {
    const res = await gql(
      srv.graphqlUrl,
      `mutation($c: ID!, $t: Float!) { setClassThreshold(classId: $c, threshold: $t) { threshold } }`,
      { c: c.id, t },
      owner.token,
    );
    assert.ok(res.data, JSON.stringify(res.errors));
  }
}

async function classify(i: number, keep = false) {
  const res = await gql(
    srv.graphqlUrl,
    CLASSIFY,
    { m: modelId, i: { base64: data.heldOut[i]!.png.toString('base64') }, keep },
    owner.token,
  );
  assert.ok(res.data, JSON.stringify(res.errors));
  return res.data.classify as {
    predictions: { probability: number }[];
    accepted: boolean | null;
    keptImageId: string | null;
  };
}

async function queue(first = 100, afterCursor: string | null = null, token = owner.token) {
  const res = await gql(srv.graphqlUrl, QUEUE, { m: modelId, first, after: afterCursor }, token);
  assert.ok(res.data, JSON.stringify(res.errors));
  return res.data.reviewQueue as {
    items: QueueItem[];
    totalCount: number;
    endCursor: string | null;
    hasNextPage: boolean;
    labelledSinceTraining: number;
  };
}

async function emptyQueue() {
  const ids = (await kept()).filter((k) => k.classId === null).map((k) => k.id);
  if (ids.length) await gql(srv.graphqlUrl, DISCARD, { ids }, owner.token);
}

describe('keeping unsure answers', () => {
  beforeEach(emptyQueue);

  test('privacy: nothing is kept unless keep or keepUncertain says so', async () => {
    const blobs = await blobCount();
    await allThresholds(1);
    for (let i = 0; i < 4; i++) {
      const answer = await classify(i);
      assert.equal(answer.accepted, answer.predictions[0]!.probability >= 1);
      assert.equal(answer.keptImageId, null);
    }
    assert.deepEqual(await kept(), []);
    assert.equal(await blobCount(), blobs, 'no pixels or thumbnails stored');

    // Kept automatically only when unsure: accepted answers are not.
    const on = await gql(srv.graphqlUrl, KEEP_UNCERTAIN, { m: modelId, k: true }, owner.token);
    assert.deepEqual(on.data!.setKeepUncertain, { keepUncertain: true, keepUncertainCap: 500, keepUncertainDays: 30 });
    await allThresholds(0);
    for (let i = 0; i < 4; i++) assert.equal((await classify(i)).keptImageId, null);
    assert.deepEqual(await kept(), []);
    assert.equal(await blobCount(), blobs);

    await allThresholds(1);
    const unsure = await classify(0);
    assert.equal(unsure.accepted, false);
    assert.ok(unsure.keptImageId);
    assert.deepEqual(await kept(), [{ id: unsure.keptImageId, keptReason: 'UNCERTAIN', classId: null }]);
    assert.equal(await blobCount(), blobs + 2, 'its pixels and thumbnail');

    // Off again: unsure answers are no longer kept; keep: true still is, whatever the verdict.
    await gql(srv.graphqlUrl, KEEP_UNCERTAIN, { m: modelId, k: false }, owner.token);
    assert.equal((await classify(1)).keptImageId, null);
    await allThresholds(0);
    const asked = await classify(2, true);
    assert.equal(asked.accepted, true);
    assert.deepEqual(
      (await kept()).map((k) => k.keptReason),
      ['UNCERTAIN', 'KEEP'],
    );
  });

  test('at most the cap wait for review', async () => {
    await gql(srv.graphqlUrl, KEEP_UNCERTAIN, { m: modelId, k: true, cap: 2 }, owner.token);
    await allThresholds(1);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await classify(i)).keptImageId);
    assert.equal(answers.filter(Boolean).length, 2);
    assert.equal((await queue()).totalCount, 2);
    // Labelling one frees a place.
    await gql(srv.graphqlUrl, LABEL, { ids: [answers[0]], c: classes[0]!.id }, owner.token);
    assert.ok((await classify(5)).keptImageId);
    await gql(srv.graphqlUrl, KEEP_UNCERTAIN, { m: modelId, k: false, cap: 500 }, owner.token);
  });
});

describe('the review queue', () => {
  let ids: string[];
  before(async () => {
    await emptyQueue();
    await gql(srv.graphqlUrl, KEEP_UNCERTAIN, { m: modelId, k: true, cap: 500 }, owner.token);
    await allThresholds(1);
    for (let i = 0; i < data.heldOut.length; i++) await classify(i);
    // Those not labelled by the tests above.
    ids = (await kept()).filter((k) => k.classId === null).map((k) => k.id);
    assert.ok(ids.length >= 10, `${ids.length} kept`);
    await gql(srv.graphqlUrl, KEEP_UNCERTAIN, { m: modelId, k: false }, owner.token);
  });

  test('lists kept images most uncertain first, each with its answer, in pages', async () => {
    const all = await queue();
    assert.equal(all.totalCount, ids.length);
    assert.deepEqual(new Set(all.items.map((i) => i.image.id)), new Set(ids));
    const margins = all.items.map((i) => i.margin!);
    assert.deepEqual(
      margins,
      [...margins].sort((a, b) => a - b),
      'smallest margin first',
    );
    for (const item of all.items) {
      const [a, b] = item.prediction;
      assert.equal(item.prediction.length, 3);
      assert.ok(Math.abs(item.margin! - (a!.probability - b!.probability)) < 1e-9);
      assert.equal(a!.className, classes.find((c) => c.index === a!.classIndex)!.name);
      assert.equal(item.keptReason, 'UNCERTAIN');
      assert.equal((await fetch(`${srv.url}${item.image.thumbnailUrl}`)).status, 200, 'its thumbnail');
    }
    // Page by page, the same order.
    const paged: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page = await queue(5, cursor);
      paged.push(...page.items.map((i) => i.image.id));
      if (!page.hasNextPage) break;
      cursor = page.endCursor;
    }
    assert.deepEqual(
      paged,
      all.items.map((i) => i.image.id),
    );
    assert.equal(
      errorCode(await gql(srv.graphqlUrl, QUEUE, { m: modelId, after: 'nonsense' }, owner.token)),
      'BAD_USER_INPUT',
    );
    assert.equal(errorCode(await gql(srv.graphqlUrl, QUEUE, { m: modelId, first: 0 }, owner.token)), 'BAD_USER_INPUT');
    assert.equal(errorCode(await gql(srv.graphqlUrl, QUEUE, { m: modelId }, other.token)), 'NOT_FOUND');
  });

  test('labelling moves images into the dataset with a split, and the counts follow', async () => {
    const before = await queue();
    const target = classes[1]!;
    const countOf = async () =>
      (
        (await gql(srv.graphqlUrl, DATASET, { m: modelId }, owner.token)).data!.dataset.classes as {
          id: string;
          imageCount: number;
        }[]
      ).find((c) => c.id === target.id)!.imageCount;
    const classCount = await countOf();
    const chosen = before.items.slice(0, 2).map((i) => i.image.id);
    const res = await gql(srv.graphqlUrl, LABEL, { ids: chosen, c: target.id }, owner.token);
    assert.equal(res.data!.labelImages, 2);
    const afterLabel = await queue();
    assert.equal(afterLabel.totalCount, before.totalCount - 2);
    assert.ok(!afterLabel.items.some((i) => chosen.includes(i.image.id)));
    assert.equal(afterLabel.labelledSinceTraining, before.labelledSinceTraining + 2);
    assert.equal(await countOf(), classCount + 2);
    // In the class's images with a thumbnail, and in what runners train on, with an upload's split.
    const images = await gql(
      srv.graphqlUrl,
      'query($m: ID!, $c: ID) { images(modelId: $m, classId: $c, first: 100) { items { id split thumbnailUrl } } }',
      { m: modelId, c: target.id },
      owner.token,
    );
    const [{ splitSeed }] = await srv.percept.db.query(`SELECT "splitSeed" FROM models WHERE id = $1`, [modelId]);
    const training = await labelledImages(srv.percept.db, modelId);
    for (const id of chosen) {
      const shown = (images.data!.images.items as { id: string; split: string; thumbnailUrl: string }[]).find(
        (i) => i.id === id,
      )!;
      const [{ checksum }] = await srv.percept.db.query(`SELECT checksum FROM images WHERE id = $1`, [id]);
      assert.equal(shown.split, assignSplit(splitSeed, checksum, null));
      const thumb = await fetch(`${srv.url}${shown.thumbnailUrl}`);
      assert.equal(thumb.status, 200);
      assert.equal(thumb.headers.get('content-type'), 'image/png');
      assert.deepEqual(
        training.filter((t) => t.id === id).map((t) => [t.index, t.split]),
        [[target.index, shown.split]],
      );
    }
  });

  test('discarding deletes the images and their pixels', async () => {
    const before = await queue();
    const blobs = await blobCount();
    const victim = before.items[0]!;
    const res = await gql(srv.graphqlUrl, DISCARD, { ids: [victim.image.id] }, owner.token);
    assert.equal(res.data!.discardImages, 1);
    assert.equal((await queue()).totalCount, before.totalCount - 1);
    assert.equal(await blobCount(), blobs - 2);
    assert.equal((await fetch(`${srv.url}${victim.image.thumbnailUrl}`)).status, 404);
  });

  test('bad requests change nothing: all or nothing, another user NOT_FOUND, classes stay in their model', async () => {
    const before = await queue();
    const [a, b] = before.items.map((i) => i.image.id);
    const missing = '00000000-0000-4000-8000-000000000000';
    const cases: [string, Record<string, unknown>, string, string][] = [
      [LABEL, { ids: [a, missing], c: classes[0]!.id }, owner.token, 'NOT_FOUND'],
      [LABEL, { ids: [a], c: otherModelClass }, owner.token, 'NOT_FOUND'],
      [LABEL, { ids: [a], c: missing }, owner.token, 'NOT_FOUND'],
      [LABEL, { ids: [], c: classes[0]!.id }, owner.token, 'BAD_USER_INPUT'],
      [LABEL, { ids: [a], c: classes[0]!.id }, other.token, 'NOT_FOUND'],
      [DISCARD, { ids: [b, missing] }, owner.token, 'NOT_FOUND'],
      [DISCARD, { ids: [b] }, other.token, 'NOT_FOUND'],
      [KEEP_UNCERTAIN, { m: modelId, k: true, cap: 0 }, owner.token, 'BAD_USER_INPUT'],
      [KEEP_UNCERTAIN, { m: modelId, k: true, days: 0 }, owner.token, 'BAD_USER_INPUT'],
      [KEEP_UNCERTAIN, { m: modelId, k: true }, other.token, 'NOT_FOUND'],
    ];
    for (const [q, vars, token, code] of cases)
      assert.equal(errorCode(await gql(srv.graphqlUrl, q, vars, token)), code, JSON.stringify(vars));
    // The other user's own class with the owner's images: still not found for them.
    assert.equal(
      errorCode(await gql(srv.graphqlUrl, LABEL, { ids: [a], c: otherModelClass }, other.token)),
      'NOT_FOUND',
    );
    assert.deepEqual(await queue(), before);
    const model = await gql(
      srv.graphqlUrl,
      'query($m: ID!) { model(id: $m) { keepUncertain keepUncertainCap } }',
      { m: modelId },
      owner.token,
    );
    assert.deepEqual(model.data!.model, { keepUncertain: false, keepUncertainCap: 500 });
  });

  test('unsure images kept automatically go after their retention; images kept on request stay', async () => {
    const before = await queue();
    const [a, b] = before.items.map((i) => i.image.id);
    await srv.percept.db.query(`UPDATE images SET "createdAt" = now() - interval '31 days' WHERE id = ANY($1)`, [
      [a, b],
    ]);
    await srv.percept.db.query(`UPDATE images SET "keptReason" = 'KEEP' WHERE id = $1`, [b]);
    const blobs = await blobCount();
    assert.equal(await srv.percept.services.review.purgeExpired(), 1);
    const left = (await queue()).items.map((i) => i.image.id);
    assert.ok(!left.includes(a!));
    assert.ok(left.includes(b!));
    assert.equal(await blobCount(), blobs - 2);
  });
});
