import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ZipWriter as JSZip } from './support/zip-writer';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { errorCode, gql, gqlUpload } from './support/graphql';
import { createModel, png, signUp } from './support/fixtures';
import { uploadDataset } from './support/datasets';
import { startTestServer, type TestServer } from './support/server';
import { CLASSIFY, heldOutAccuracy, syntheticZip, TRAIN, waitForTask, type SyntheticSet } from './support/training';
import { waitFor } from './support/wait';

// 24×24 greyscale shapes of 3 classes, two real local runners: the whole product path in CI time.
let srv: TestServer;
let token: string;
let data: SyntheticSet;
before(async () => {
  srv = await startTestServer({ PERCEPT_LOCAL_RUNNERS: '2', PERCEPT_TICK_MS: '500' });
  token = (await signUp(srv.graphqlUrl)).token;
  data = await syntheticZip({ classes: 3, perClass: 150, side: 24, heldOutPerClass: 10 });
  await waitFor('runners ready', async () => srv.percept.pool!.idle().length === 2, 60_000);
});
after(() => srv.stop());

async function importedModel(name: string): Promise<string> {
  const m = await createModel(srv.graphqlUrl, token, name, await png(24, 24, 1));
  const res = await uploadDataset(srv, token, m.id, data.zip);
  assert.ok(res.data, JSON.stringify(res.errors));
  await waitForTask(srv.graphqlUrl, token, res.data.importDataset.id);
  return m.id;
}

describe('training and classification through the API', () => {
  let modelId: string;

  test('refuses clearly when the model cannot be trained or used yet', async () => {
    const empty = await createModel(srv.graphqlUrl, token, 'empty', await png(24, 24, 1));
    const noData = await gql(srv.graphqlUrl, TRAIN, { id: empty.id }, token);
    assert.equal(errorCode(noData), 'BAD_USER_INPUT');
    assert.match(noData.errors![0]!.message, /no data yet/);
    assert.equal(noData.errors![0]!.extensions?.reason, 'NO_DATA');
    const untrained = await gql(
      srv.graphqlUrl,
      CLASSIFY,
      { id: empty.id, image: { base64: data.heldOut[0]!.png.toString('base64') } },
      token,
    );
    assert.equal(errorCode(untrained), 'BAD_USER_INPUT');
    assert.match(untrained.errors![0]!.message, /no trained network yet/);
  });

  test('trains to a useful accuracy, with live progress, and classifies held-out images', async () => {
    modelId = await importedModel('shapes');
    const client = createClient({
      url: srv.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const progress: { batch: number | null; epoch: number | null; status: string }[] = [];
    const unsubscribe = client.subscribe(
      {
        query: `subscription($id: ID!) { trainingProgress(modelId: $id) {
          task { status } etaSeconds candidates { name status epochsDone live { epoch batch loss imagesPerSecond } }
        } }`,
        variables: { id: modelId },
      },
      {
        next: (v) => {
          const run = (v.data as any).trainingProgress;
          for (const c of run.candidates)
            if (c.live) progress.push({ batch: c.live.batch, epoch: c.live.epoch, status: run.task.status });
        },
        error: () => {},
        complete: () => {},
      },
    );
    const started = await gql(
      srv.graphqlUrl,
      TRAIN,
      { id: modelId, input: { candidates: 2, maxEpochs: 20, roundEpochs: 2 } },
      token,
    );
    assert.ok(started.data, JSON.stringify(started.errors));
    const again = await gql(srv.graphqlUrl, TRAIN, { id: modelId }, token);
    assert.equal(errorCode(again), 'BAD_USER_INPUT');
    assert.match(again.errors![0]!.message, new RegExp(started.data.trainModel.id));

    await waitForTask(srv.graphqlUrl, token, started.data.trainModel.id, 'SUCCEEDED', 300_000);
    unsubscribe();
    await client.dispose();
    assert.ok(progress.length >= 3, `live progress arrived (${progress.length} updates)`);
    assert.ok(new Set(progress.map((p) => `${p.epoch}/${p.batch}`)).size >= 3, 'progress changed while training');

    const run = (
      await gql(
        srv.graphqlUrl,
        'query($id: ID!) { trainingRun(modelId: $id) { task { result } candidates { name status epochsDone bestValAccuracy prunedReason history { epoch loss accuracy valAccuracy } } } }',
        { id: modelId },
        token,
      )
    ).data!.trainingRun;
    assert.equal(run.candidates.length, 2);
    assert.equal(run.candidates.filter((c: { status: string }) => c.status === 'PROMOTED').length, 1);
    const model = (
      await gql(srv.graphqlUrl, 'query($id: ID!) { model(id: $id) { status underTarget } }', { id: modelId }, token)
    ).data!.model;
    assert.equal(model.status, 'READY');
    const evaluation = (
      await gql(
        srv.graphqlUrl,
        'query($id: ID!) { modelEvaluation(modelId: $id) { accuracy count classNames confusion perClass { className recall } } }',
        { id: modelId },
        token,
      )
    ).data!.modelEvaluation;
    assert.ok(evaluation.count > 0);
    assert.equal(evaluation.confusion.length, 3);
    assert.ok(evaluation.accuracy >= 0.8, `test accuracy ${evaluation.accuracy}`);
    const { accuracy } = await heldOutAccuracy(srv.graphqlUrl, token, modelId, data.heldOut);
    assert.ok(accuracy >= 0.8, `held-out accuracy through classify: ${accuracy}`);

    const notImage = await gql(
      srv.graphqlUrl,
      CLASSIFY,
      { id: modelId, image: { base64: Buffer.from('plain text').toString('base64') } },
      token,
    );
    assert.equal(errorCode(notImage), 'BAD_USER_INPUT');
    assert.match(notImage.errors![0]!.message, /not an image/);
    const two = await gql(
      srv.graphqlUrl,
      CLASSIFY,
      { id: modelId, image: { base64: 'AAAA', url: 'http://example.com/x.png' } },
      token,
    );
    assert.equal(errorCode(two), 'BAD_USER_INPUT');
  });

  test('classification keeps being served by the previous network while the model retrains', async () => {
    const before = (
      await gql(
        srv.graphqlUrl,
        'query($id: ID!) { trainingRun(modelId: $id) { candidates { id status } } }',
        { id: modelId },
        token,
      )
    ).data!.trainingRun.candidates.find((c: { status: string }) => c.status === 'PROMOTED').id;
    // Long enough that it is still running when the classifications below are done; cancelled then.
    const retrain = await gql(
      srv.graphqlUrl,
      TRAIN,
      { id: modelId, input: { candidates: 1, maxEpochs: 500, roundEpochs: 500 } },
      token,
    );
    assert.ok(retrain.data, JSON.stringify(retrain.errors));
    const during = await heldOutAccuracy(srv.graphqlUrl, token, modelId, data.heldOut);
    const status = (await gql(srv.graphqlUrl, 'query($id: ID!) { model(id: $id) { status } }', { id: modelId }, token))
      .data!.model.status;
    assert.deepEqual([...during.candidateIds], [before], 'the previously promoted network answered');
    assert.ok(during.accuracy >= 0.8);
    assert.equal(status, 'TRAINING', 'and the retraining was still running');
    await gql(
      srv.graphqlUrl,
      'mutation($id: ID!) { cancelTask(id: $id) { id } }',
      { id: retrain.data.trainModel.id },
      token,
    );
    await waitForTask(srv.graphqlUrl, token, retrain.data.trainModel.id, 'CANCELLED', 60_000);
    const after = (await gql(srv.graphqlUrl, 'query($id: ID!) { model(id: $id) { status } }', { id: modelId }, token))
      .data!.model;
    assert.equal(after.status, 'READY', 'a cancelled retraining leaves the model serving');
    assert.deepEqual([...(await heldOutAccuracy(srv.graphqlUrl, token, modelId, data.heldOut)).candidateIds], [before]);
  });
});

describe('classifying many images, and privacy', () => {
  test('classifyBatch answers for every file of a zip, says why it skipped one, and keeps nothing', async () => {
    const modelId = await trainedModel();
    const zip = new JSZip();
    data.heldOut.forEach((h, i) => zip.file(`batch/${i}-${h.className}.png`, h.png));
    zip.file('batch/notes.txt', 'not an image');
    const blobsBefore = await countRows('blobs');
    const res = await gqlUpload(
      srv.graphqlUrl,
      'mutation($m: ID!, $a: Upload!) { classifyBatch(modelId: $m, archive: $a, topK: 2) { id } }',
      { m: modelId, a: null },
      { a: { data: await zip.generateAsync({ type: 'nodebuffer' }), filename: 'batch.zip' } },
      token,
    );
    assert.ok(res.data, JSON.stringify(res.errors));
    const task = await waitForTask(srv.graphqlUrl, token, res.data.classifyBatch.id);
    const { results, count, failed } = task.result;
    assert.equal(count, data.heldOut.length + 1);
    assert.equal(failed, 1);
    assert.match(results.find((r: { name: string }) => r.name.endsWith('notes.txt')).error, /not an image/);
    const right = results.filter(
      (r: { name: string; predictions?: { className: string }[] }) =>
        r.predictions?.[0]?.className === r.name.replace(/^batch\/\d+-|\.png$/g, ''),
    );
    assert.ok(right.length / data.heldOut.length >= 0.8, `batch accuracy ${right.length / data.heldOut.length}`);
    assert.equal(await countRows('blobs'), blobsBefore, 'the batch stored no image');
    assert.deepEqual(readdirSync(join(srv.config.dataDir, 'uploads')), [], 'the uploaded zip is gone');
  });

  test('classify keeps the image only when asked, as unlabelled data of the model', async () => {
    const modelId = await trainedModel();
    const image = { base64: data.heldOut[0]!.png.toString('base64') };
    const images = () =>
      srv.percept.db.query(`SELECT source, "classId" FROM images WHERE "modelId" = $1 AND source = 'CLASSIFIED'`, [
        modelId,
      ]);
    const blobsBefore = await countRows('blobs');
    await gql(srv.graphqlUrl, CLASSIFY, { id: modelId, image }, token);
    assert.deepEqual(await images(), []);
    assert.equal(await countRows('blobs'), blobsBefore, 'nothing stored without keep');
    const kept = await gql(
      srv.graphqlUrl,
      'mutation($id: ID!, $image: ImageInput!) { classify(modelId: $id, image: $image, keep: true) { keptImageId } }',
      { id: modelId, image },
      token,
    );
    assert.ok(kept.data?.classify.keptImageId);
    assert.deepEqual(await images(), [{ source: 'CLASSIFIED', classId: null }]);
  });
});

let trained: string | null = null;
/** The model trained by the first describe block (files run their tests in order). */
async function trainedModel(): Promise<string> {
  trained ??= (await gql(srv.graphqlUrl, '{ models { items { id name status } } }', {}, token)).data!.models.items.find(
    (m: { name: string; status: string }) => m.name === 'shapes' && m.status === 'READY',
  ).id;
  return trained!;
}

const countRows = async (table: string) =>
  (await srv.percept.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

describe('data uploaded while a model trains', () => {
  test('the run trains on the data it started with; the new class waits for the next run', async () => {
    const common = { classes: 0, perClass: 40, side: 24, heldOutPerClass: 5, seed: 5 };
    const first = await syntheticZip({ ...common, pick: [0, 1] });
    const later = await syntheticZip({ ...common, pick: [2] });
    const m = await createModel(srv.graphqlUrl, token, 'growing', await png(24, 24, 1));
    const imported = await uploadDataset(srv, token, m.id, first.zip);
    assert.ok(imported.data, JSON.stringify(imported.errors));
    await waitForTask(srv.graphqlUrl, token, imported.data.importDataset.id);
    // One-epoch rounds: the import below lands between rounds of a run that has more to go.
    const started = await gql(
      srv.graphqlUrl,
      TRAIN,
      { id: m.id, input: { candidates: 1, maxEpochs: 10, roundEpochs: 1 } },
      token,
    );
    assert.ok(started.data, JSON.stringify(started.errors));
    const trainId = started.data.trainModel.id;
    const RUN = 'query($id: ID!) { trainingRun(modelId: $id) { task { status } candidates { epochsDone } } }';
    await waitFor('the first round to end', async () => {
      const run = (await gql(srv.graphqlUrl, RUN, { id: m.id }, token)).data!.trainingRun;
      return run.candidates[0].epochsDone >= 1;
    });

    const upload = await uploadDataset(srv, token, m.id, later.zip);
    assert.ok(upload.data, JSON.stringify(upload.errors));
    await waitForTask(srv.graphqlUrl, token, upload.data.importDataset.id);
    const during = (await gql(srv.graphqlUrl, RUN, { id: m.id }, token)).data!.trainingRun;
    assert.equal(during.task.status, 'RUNNING', 'the import ended while the run still had rounds to train');

    await waitForTask(srv.graphqlUrl, token, trainId, 'SUCCEEDED', 180_000);
    const classify = async (h: { png: Buffer }) => {
      const res = await gql(srv.graphqlUrl, CLASSIFY, { id: m.id, image: { base64: h.png.toString('base64') } }, token);
      assert.ok(res.data, JSON.stringify(res.errors));
      return res.data.classify.predictions.map((p: { className: string }) => p.className) as string[];
    };
    const answered = await classify(later.heldOut[0]!);
    assert.deepEqual(
      [...answered].sort(),
      ['horizontal bar', 'vertical bar'],
      'the network knows the first two classes',
    );
    const trained = (
      await gql(srv.graphqlUrl, 'query($id: ID!) { modelEvaluation(modelId: $id) { count } }', { id: m.id }, token)
    ).data!.modelEvaluation;
    const [{ n }] = await srv.percept.db.query(
      `SELECT count(*)::int AS n FROM images i JOIN model_classes c ON c.id = i."classId"
       WHERE i."modelId" = $1 AND i.split = 'TEST' AND c.name <> 'diagonal'`,
      [m.id],
    );
    assert.equal(trained.count, n, 'scored on the test images of the first two classes only');

    const next = await gql(srv.graphqlUrl, TRAIN, { id: m.id, input: { candidates: 1, maxEpochs: 2 } }, token);
    assert.ok(next.data, JSON.stringify(next.errors));
    await waitForTask(srv.graphqlUrl, token, next.data.trainModel.id, 'SUCCEEDED', 180_000);
    assert.ok((await classify(later.heldOut[0]!)).includes('diagonal'), 'the next run learned the new class');
  });
});

describe('URL-referenced images', () => {
  test('a model trains on images it fetches by URL and never stores', async () => {
    const local = await startTestServer({ PERCEPT_LOCAL_RUNNERS: '1', PERCEPT_ALLOW_PRIVATE_URLS: 'true' });
    const images = await syntheticZip({ classes: 2, perClass: 0, side: 24, heldOutPerClass: 40, seed: 3 });
    const http = createServer((req, res) => {
      const i = Number(/\/(\d+)\.png$/.exec(req.url ?? '')?.[1]);
      const png = images.heldOut[i]?.png;
      res.writeHead(png ? 200 : 404, { 'content-type': 'image/png' }).end(png);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    try {
      const port = (http.address() as AddressInfo).port;
      const manifest = images.heldOut.map((h, i) => `http://127.0.0.1:${port}/${i}.png,${h.className}`).join('\n');
      const owner = await signUp(local.graphqlUrl);
      const m = await createModel(local.graphqlUrl, owner.token, 'by url', await png(24, 24, 1));
      const imported = await uploadDataset(
        local,
        owner.token,
        m.id,
        Buffer.from(`url,label\n${manifest}\n`),
        'images.csv',
      );
      assert.ok(imported.data, JSON.stringify(imported.errors));
      await waitForTask(local.graphqlUrl, owner.token, imported.data.importDataset.id);
      const t = await gql(local.graphqlUrl, TRAIN, { id: m.id, input: { candidates: 1, maxEpochs: 2 } }, owner.token);
      assert.ok(t.data, JSON.stringify(t.errors));
      await waitForTask(local.graphqlUrl, owner.token, t.data.trainModel.id, 'SUCCEEDED', 180_000);
      const stored = await local.percept.db.query(`SELECT count(*)::int AS n FROM blobs WHERE key LIKE $1`, [
        `models/${m.id}/images/%`,
      ]);
      assert.equal(stored[0].n, 0, 'no pixels of URL images were stored');
      const rows = await local.percept.db.query(
        `SELECT count(*)::int AS n FROM images WHERE "modelId" = $1 AND url IS NOT NULL`,
        [m.id],
      );
      assert.equal(rows[0].n, 80);
    } finally {
      http.close();
      await local.stop();
    }
  });
});
