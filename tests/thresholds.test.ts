import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readHeldOut } from '../server/models/class-thresholds';
import { classThresholds } from '../server/ml/thresholds';
import { signUp } from './support/fixtures';
import { errorCode, gql, gqlUpload } from './support/graphql';
import { startTestServer, type TestServer } from './support/server';
import { syntheticZip, trainedModel, waitForTask, type SyntheticSet } from './support/training';
import { ZipWriter } from './support/zip-writer';

// Per-class thresholds: chosen at promotion from the promoted network's held-out answers, editable,
// and deciding `accepted` in every classify answer (GraphQL, REST, batch).
let srv: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
let other: Awaited<ReturnType<typeof signUp>>;
let modelId: string;
let data: SyntheticSet;

const THRESHOLDS = `query($m: ID!) { classThresholds(modelId: $m) { classId className classIndex threshold source heldOutPrecision heldOutRecall } }`;
const CLASSIFY = `mutation($m: ID!, $i: ImageInput!) {
  classify(modelId: $m, image: $i, topK: 3) { predictions { className classIndex probability } accepted threshold candidateId keptImageId }
}`;
const SET_TARGET = `mutation($m: ID!, $t: Float!) { setTargetPrecision(modelId: $m, targetPrecision: $t) { classIndex threshold source } }`;
const SET_CLASS = `mutation($c: ID!, $t: Float!) { setClassThreshold(classId: $c, threshold: $t) { classId threshold source } }`;

interface Row {
  classId: string;
  className: string;
  classIndex: number;
  threshold: number | null;
  source: string | null;
  heldOutPrecision: number | null;
  heldOutRecall: number | null;
}

before(async () => {
  srv = await startTestServer({ PERCEPT_LOCAL_RUNNERS: '1' });
  await signUp(srv.graphqlUrl); // the admin, who could see every model
  owner = await signUp(srv.graphqlUrl);
  other = await signUp(srv.graphqlUrl);
  data = await syntheticZip({ classes: 3, perClass: 30, side: 12, heldOutPerClass: 2 });
  modelId = await trainedModel(srv.graphqlUrl, owner.token, { name: 'thresholds', side: 12, data, maxEpochs: 2 });
});
after(() => srv?.stop());

const rows = async (token = owner.token): Promise<Row[]> =>
  (await gql(srv.graphqlUrl, THRESHOLDS, { m: modelId }, token)).data!.classThresholds as Row[];

async function activeCandidate(): Promise<string> {
  const [m] = (await srv.percept.db.query(`SELECT "activeCandidateId" FROM models WHERE id = $1`, [modelId])) as {
    activeCandidateId: string;
  }[];
  return m!.activeCandidateId;
}

async function classify(i: number) {
  const res = await gql(
    srv.graphqlUrl,
    CLASSIFY,
    { m: modelId, i: { base64: data.heldOut[i]!.png.toString('base64') } },
    owner.token,
  );
  assert.ok(res.data, JSON.stringify(res.errors));
  return res.data.classify as {
    predictions: { className: string; classIndex: number; probability: number }[];
    accepted: boolean | null;
    threshold: number | null;
  };
}

describe('class thresholds', () => {
  test("promotion chooses each class's threshold from the promoted network's held-out answers at 0.95", async () => {
    const heldOut = await readHeldOut(srv.percept.blobs, modelId, await activeCandidate());
    assert.ok(heldOut, 'the finalize round stored its held-out answers');
    // The test split of 3 × 30 images at 80/10/10.
    const splits = await srv.percept.db.query(
      `SELECT split, count(*) FROM images WHERE "modelId" = $1 GROUP BY split`,
      [modelId],
    );
    assert.ok(
      heldOut.truth.length >= 3 && heldOut.truth.length <= 20,
      `${heldOut.truth.length} held-out answers ${JSON.stringify(splits)}`,
    );
    assert.ok(heldOut.confidence.every((p) => p > 0 && p <= 1));
    const expected = classThresholds(heldOut, 3, 0.95);
    const got = await rows();
    assert.deepEqual(
      got.map((r) => [r.classIndex, r.threshold, r.source, r.heldOutPrecision, r.heldOutRecall]),
      expected.map((t) => [t.classIndex, t.threshold, t.source, t.precision, t.recall]),
    );
    const model = await gql(
      srv.graphqlUrl,
      'query($m: ID!) { model(id: $m) { targetPrecision } }',
      { m: modelId },
      owner.token,
    );
    assert.equal(model.data!.model.targetPrecision, 0.95);
  });

  test('classify answers accepted when the top class clears its threshold, with the threshold used', async () => {
    const byIndex = new Map((await rows()).map((r) => [r.classIndex, r.threshold]));
    for (let i = 0; i < data.heldOut.length; i++) {
      const answer = await classify(i);
      const top = answer.predictions[0]!;
      assert.equal(answer.threshold, byIndex.get(top.classIndex));
      assert.equal(answer.accepted, top.probability >= answer.threshold!);
    }
  });

  test('a threshold set by hand decides at once; a new target chooses them all again', async () => {
    const answer = await classify(0);
    const top = answer.predictions[0]!;
    const cls = (await rows()).find((r) => r.classIndex === top.classIndex)!;
    const low = await gql(srv.graphqlUrl, SET_CLASS, { c: cls.classId, t: 0 }, owner.token);
    assert.deepEqual(low.data!.setClassThreshold, { classId: cls.classId, threshold: 0, source: 'MANUAL' });
    assert.deepEqual([(await classify(0)).accepted, (await classify(0)).threshold], [true, 0]);
    // Just above the answer's probability: unsure.
    const above = Math.min(1, top.probability + 1e-6);
    await gql(srv.graphqlUrl, SET_CLASS, { c: cls.classId, t: above }, owner.token);
    const unsure = await classify(0);
    assert.equal(unsure.threshold, above);
    assert.equal(unsure.accepted, top.probability >= above);
    if (top.probability < 1) assert.equal(unsure.accepted, false);

    const heldOut = (await readHeldOut(srv.percept.blobs, modelId, await activeCandidate()))!;
    const retargeted = await gql(srv.graphqlUrl, SET_TARGET, { m: modelId, t: 0.5 }, owner.token);
    assert.deepEqual(
      retargeted.data!.setTargetPrecision,
      classThresholds(heldOut, 3, 0.5).map((t) => ({
        classIndex: t.classIndex,
        threshold: t.threshold,
        source: t.source,
      })),
    );
    assert.ok(!(await rows()).some((r) => r.source === 'MANUAL'), 'the manual threshold was chosen again');
    const model = await gql(
      srv.graphqlUrl,
      'query($m: ID!) { model(id: $m) { targetPrecision } }',
      { m: modelId },
      owner.token,
    );
    assert.equal(model.data!.model.targetPrecision, 0.5);
  });

  test('the REST endpoint and classifyBatch answer accepted and threshold too', async () => {
    const image = data.heldOut[1]!.png;
    const res = await fetch(`${srv.url}/v1/models/${modelId}/classify?topK=3`, {
      method: 'POST',
      headers: { 'content-type': 'image/png', authorization: `Bearer ${owner.token}` },
      body: image,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      ...(await classify(1)),
      candidateId: await activeCandidate(),
      keptImageId: null,
    });

    const zip = new ZipWriter();
    data.heldOut.forEach((h, i) => zip.file(`batch/${i}.png`, h.png));
    const batch = await gqlUpload(
      srv.graphqlUrl,
      'mutation($m: ID!, $a: Upload!) { classifyBatch(modelId: $m, archive: $a, topK: 2) { id } }',
      { m: modelId, a: null },
      { a: { data: await zip.generateAsync({ type: 'nodebuffer' }), filename: 'batch.zip' } },
      owner.token,
    );
    const task = await waitForTask(srv.graphqlUrl, owner.token, batch.data!.classifyBatch.id);
    const results = task.result.results as { name: string; accepted: boolean | null; threshold: number | null }[];
    assert.equal(results.length, data.heldOut.length);
    for (const r of results) {
      const single = await classify(Number(r.name.replace(/^batch\/|\.png$/g, '')));
      assert.equal(r.threshold, single.threshold, r.name);
      assert.equal(r.accepted, single.accepted, r.name);
    }
  });

  test('bad values are refused and change nothing; another user sees no such model or class', async () => {
    const before = await rows();
    for (const t of [0.2, 1, 1.5]) {
      const res = await gql(srv.graphqlUrl, SET_TARGET, { m: modelId, t }, owner.token);
      assert.equal(errorCode(res), 'BAD_USER_INPUT', `target ${t}`);
    }
    for (const t of [-0.1, 1.01]) {
      const res = await gql(srv.graphqlUrl, SET_CLASS, { c: before[0]!.classId, t }, owner.token);
      assert.equal(errorCode(res), 'BAD_USER_INPUT', `threshold ${t}`);
    }
    assert.deepEqual(await rows(), before);
    assert.equal(errorCode(await gql(srv.graphqlUrl, THRESHOLDS, { m: modelId }, other.token)), 'NOT_FOUND');
    assert.equal(errorCode(await gql(srv.graphqlUrl, SET_TARGET, { m: modelId, t: 0.9 }, other.token)), 'NOT_FOUND');
    assert.equal(
      errorCode(await gql(srv.graphqlUrl, SET_CLASS, { c: before[0]!.classId, t: 0.5 }, other.token)),
      'NOT_FOUND',
    );
    assert.deepEqual(await rows(), before);
  });
});
