// Datasets through the API: uploads refused or queued, browsing with thumbnails, deleting.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { randomBytes } from 'node:crypto';
import { distinctPng, enqueueImport, recordSuccess, runHandler, uploadDataset } from './support/datasets';
import { errorCode, gql } from './support/graphql';
import { createModel, png, signUp } from './support/fixtures';
import { startTestServer, type TestServer } from './support/server';
import { buildZip, type ZipInput } from './support/zip';
import { waitForTask } from './support/training';

let srv: TestServer;
before(
  async () =>
    (srv = await startTestServer({
      PERCEPT_MAX_UPLOAD_BYTES: String(3 << 20),
      PERCEPT_MAX_ZIP_ENTRIES: '40',
      PERCEPT_MAX_ZIP_TOTAL_BYTES: String(4 << 20),
      PERCEPT_MAX_ZIP_ENTRY_BYTES: String(2 << 20),
      PERCEPT_MAX_ZIP_RATIO: '50',
    })),
);
after(() => srv.stop());

const count = async (table: string) =>
  (await srv.percept.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
const uploads = () => {
  try {
    return readdirSync(join(srv.config.dataDir, 'uploads')).length;
  } catch {
    return 0;
  }
};

async function newModel() {
  const u = await signUp(srv.graphqlUrl);
  const m = await createModel(srv.graphqlUrl, u.token, 'pets', await png(16, 12, 3));
  return { ...m, ownerId: u.user.id, token: u.token };
}

describe('importDataset refuses whole-archive problems at once, leaving nothing behind', () => {
  test('bad archives: not a zip, truncated, zip slip, bombs, no class folders, too large', async () => {
    const model = await newModel();
    const before = { tasks: await count('tasks'), images: await count('images'), blobs: await count('blobs') };
    const ok = await distinctPng(1);
    const good = buildZip([{ name: 'cat/1.png', data: ok }]);
    const refuse = async (data: Buffer, code: string, reason: string | null, filename = 'data.zip') => {
      const res = await uploadDataset(srv, model.token, model.id, data, filename);
      assert.equal(errorCode(res), code, `${reason}: ${JSON.stringify(res.errors)}`);
      if (reason) assert.equal(res.errors![0]!.extensions!.reason, reason, res.errors![0]!.message);
      return res.errors![0]!.message;
    };
    await refuse(Buffer.from('hello, this is not a zip at all'), 'BAD_USER_INPUT', 'NOT_A_ZIP');
    await refuse(randomBytes(2000), 'BAD_USER_INPUT', 'UNKNOWN_FORMAT', 'photo.bin');
    await refuse(good.subarray(0, good.length - 10), 'BAD_USER_INPUT', 'NOT_A_ZIP');
    const slip = await refuse(buildZip([{ name: '../../evil.png', data: ok }]), 'BAD_USER_INPUT', 'UNSAFE_PATH');
    assert.match(slip, /\.\.\/\.\.\/evil\.png/);
    await refuse(buildZip([{ name: '/abs/cat/1.png', data: ok }]), 'BAD_USER_INPUT', 'UNSAFE_PATH');
    const many = Array.from({ length: 41 }, (_, i): ZipInput => ({ name: `c/${i}.png`, data: Buffer.from([i]) }));
    await refuse(buildZip(many), 'BAD_USER_INPUT', 'TOO_MANY_ENTRIES');
    await refuse(
      buildZip([{ name: 'c/z.png', data: Buffer.alloc(1.5 * 2 ** 20) }]),
      'BAD_USER_INPUT',
      'COMPRESSION_RATIO',
    );
    await refuse(buildZip([{ name: 'c/z.png', data: Buffer.alloc(3 << 20) }]), 'BAD_USER_INPUT', 'ENTRY_TOO_LARGE');
    // Sizes that lie: the central directory claims more than was sent; the total is over the limit.
    const lying = (i: number): ZipInput => ({
      name: `c/${i}.png`,
      data: randomBytes(50_000),
      declaredSize: 1.9 * 2 ** 20,
    });
    await refuse(buildZip([lying(1), lying(2), lying(3)]), 'BAD_USER_INPUT', 'TOO_LARGE');
    await refuse(buildZip([{ name: 'a.png', data: ok }, { name: 'empty/' }]), 'BAD_USER_INPUT', 'NO_CLASS_FOLDERS');
    await refuse(randomBytes(3.5 * 2 ** 20), 'PAYLOAD_TOO_LARGE', null);
    await refuse(Buffer.from('url,label\nnot-a-url,cat\n'), 'BAD_USER_INPUT', 'BAD_MANIFEST', 'list.csv');

    assert.equal(await count('tasks'), before.tasks, 'nothing was queued');
    assert.equal(await count('images'), before.images);
    assert.equal(await count('blobs'), before.blobs);
    assert.equal(uploads(), 0, 'every refused upload was deleted');
  });

  test("another user's model is NOT_FOUND, and anonymous callers are refused", async () => {
    const owner = await newModel();
    const other = await signUp(srv.graphqlUrl);
    const zip = buildZip([{ name: 'cat/1.png', data: await distinctPng(2) }]);
    assert.equal(errorCode(await uploadDataset(srv, other.token, owner.id, zip)), 'NOT_FOUND');
    assert.equal(errorCode(await uploadDataset(srv, '', owner.id, zip)), 'UNAUTHENTICATED');
    assert.equal(uploads(), 0);
  });

  test('a good zip or manifest is queued as an IMPORT_DATASET task', async () => {
    const model = await newModel();
    const zip = buildZip([
      { name: 'cat/1.png', data: await distinctPng(3) },
      { name: 'dog/1.png', data: await distinctPng(4) },
    ]);
    const res = await uploadDataset(srv, model.token, model.id, zip);
    assert.equal(res.data?.importDataset.type, 'IMPORT_DATASET');
    assert.equal(res.data?.importDataset.modelId, model.id);
    const manifest = await uploadDataset(
      srv,
      model.token,
      model.id,
      Buffer.from('[{"url": "https://example.com/a.png", "label": "cat"}]'),
      'list.json',
    );
    assert.equal(manifest.data?.importDataset.type, 'IMPORT_DATASET', JSON.stringify(manifest.errors));
    const [task] = await srv.percept.db.query('SELECT payload FROM tasks WHERE id = $1', [
      manifest.data!.importDataset.id,
    ]);
    assert.equal(task.payload.kind, 'manifest');
    assert.equal(task.payload.nodeId, srv.config.nodeId);
  });
});

describe('browsing and deleting', () => {
  let model: Awaited<ReturnType<typeof newModel>>;
  let taskId: string;
  before(async () => {
    model = await newModel();
    const entries: ZipInput[] = [];
    for (let i = 0; i < 5; i++) entries.push({ name: `cat/${i}.png`, data: await distinctPng(10 + i) });
    for (let i = 0; i < 3; i++) entries.push({ name: `dog/${i}.png`, data: await distinctPng(20 + i) });
    entries.push({ name: 'dog/bad.png', data: Buffer.from('nope') });
    const { task } = await enqueueImport(srv, model, buildZip(entries));
    const run = await runHandler(srv, task);
    await recordSuccess(srv, task.id, run.result);
    taskId = task.id;
  });

  test('importReport gives the typed report of the task', async () => {
    const res = await gql(
      srv.graphqlUrl,
      `query($t: ID!) { importReport(taskId: $t) {
        kind imported skipped classes { name imported } skippedByReason { reason count } skippedFiles { path reason detail } } }`,
      { t: taskId },
      model.token,
    );
    assert.deepEqual(res.data?.importReport, {
      kind: 'zip',
      imported: 8,
      skipped: 1,
      classes: [
        { name: 'cat', imported: 5 },
        { name: 'dog', imported: 3 },
      ],
      skippedByReason: [{ reason: 'NOT_AN_IMAGE', count: 1 }],
      skippedFiles: [{ path: 'dog/bad.png', reason: 'NOT_AN_IMAGE', detail: 'not an image' }],
    });
    const stranger = await signUp(srv.graphqlUrl);
    const hidden = await gql(
      srv.graphqlUrl,
      'query($t: ID!) { importReport(taskId: $t) { imported } }',
      { t: taskId },
      stranger.token,
    );
    assert.equal(errorCode(hidden), 'NOT_FOUND');
  });

  test('dataset lists classes with image counts per split', async () => {
    const res = await gql(
      srv.graphqlUrl,
      `query($m: ID!) { dataset(modelId: $m) { imageCount urlImageCount
        classes { name index imageCount trainCount validationCount testCount } } }`,
      { m: model.id },
      model.token,
    );
    const d = res.data?.dataset;
    assert.equal(d.imageCount, 8);
    assert.equal(d.urlImageCount, 0);
    assert.deepEqual(
      d.classes.map((c: any) => [c.name, c.index, c.imageCount, c.trainCount + c.validationCount + c.testCount]),
      [
        ['cat', 0, 5, 5],
        ['dog', 1, 3, 3],
      ],
    );
  });

  test('images are paginated per class, with thumbnails served to the owner only', async () => {
    const { classes } = (
      await gql(
        srv.graphqlUrl,
        'query($m: ID!) { dataset(modelId: $m) { classes { id name } } }',
        { m: model.id },
        model.token,
      )
    ).data!.dataset;
    const cat = classes.find((c: any) => c.name === 'cat').id;
    const IMAGES = `query($m: ID!, $c: ID, $f: Int, $o: Int) { images(modelId: $m, classId: $c, first: $f, offset: $o) {
      totalCount hasNextPage items { id classId source split originalName thumbnailUrl } } }`;
    const page = (await gql(srv.graphqlUrl, IMAGES, { m: model.id, c: cat, f: 2, o: 0 }, model.token)).data!.images;
    assert.equal(page.totalCount, 5);
    assert.equal(page.hasNextPage, true);
    assert.equal(page.items.length, 2);
    assert.ok(page.items.every((i: any) => i.classId === cat && i.source === 'UPLOAD'));

    const url = `${srv.url}${page.items[0].thumbnailUrl}`;
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    assert.deepEqual([meta.width, meta.height], [16, 12]);

    const tampered = url.replace(/sig=[^&]+/, 'sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    assert.equal((await fetch(tampered)).status, 401);
    const otherImage = url.replace(page.items[0].id, page.items[1].id);
    assert.equal((await fetch(otherImage)).status, 401, 'a signature is for one image only');
    const bare = `${srv.url}/files/thumbs/${page.items[0].id}`;
    assert.equal((await fetch(bare)).status, 401);
    assert.equal((await fetch(bare, { headers: { authorization: `Bearer ${model.token}` } })).status, 200);
    const stranger = await signUp(srv.graphqlUrl);
    assert.equal((await fetch(bare, { headers: { authorization: `Bearer ${stranger.token}` } })).status, 404);
    const theirs = await gql(srv.graphqlUrl, IMAGES, { m: model.id }, stranger.token);
    assert.equal(errorCode(theirs), 'NOT_FOUND');

    // Logging out voids the URLs signed for that session.
    const session = await gql(srv.graphqlUrl, 'mutation($i: CredentialsInput!) { logIn(input: $i) { token } }', {
      i: {
        email: (await gql(srv.graphqlUrl, '{ me { email } }', {}, model.token)).data!.me.email,
        password: 'correct horse battery',
      },
    });
    const token = session.data!.logIn.token;
    const mine = (await gql(srv.graphqlUrl, IMAGES, { m: model.id, c: cat, f: 1 }, token)).data!.images.items[0];
    assert.equal((await fetch(`${srv.url}${mine.thumbnailUrl}`)).status, 200);
    await gql(srv.graphqlUrl, 'mutation { logOut }', {}, token);
    assert.equal((await fetch(`${srv.url}${mine.thumbnailUrl}`)).status, 401);
  });

  test('deleting an image, a class and all data removes rows and blobs; others get NOT_FOUND', async () => {
    const m = model;
    const blobs = () => srv.percept.blobs.count(`models/${m.id}/`);
    const before = await blobs();
    const { items } = (
      await gql(
        srv.graphqlUrl,
        'query($m: ID!) { images(modelId: $m, first: 100) { items { id } } }',
        { m: m.id },
        m.token,
      )
    ).data!.images;
    const stranger = await signUp(srv.graphqlUrl);
    const DEL_IMAGE = 'mutation($id: ID!) { deleteImage(id: $id) }';
    assert.equal(errorCode(await gql(srv.graphqlUrl, DEL_IMAGE, { id: items[0].id }, stranger.token)), 'NOT_FOUND');
    assert.equal((await gql(srv.graphqlUrl, DEL_IMAGE, { id: items[0].id }, m.token)).data?.deleteImage, true);
    assert.equal(await blobs(), before - 1, 'its pixels (a 16×12 input stores no separate thumbnail)');

    const { classes } = (
      await gql(
        srv.graphqlUrl,
        'query($m: ID!) { dataset(modelId: $m) { classes { id name imageCount } } }',
        { m: m.id },
        m.token,
      )
    ).data!.dataset;
    const dog = classes.find((c: any) => c.name === 'dog');
    const DEL_CLASS = 'mutation($id: ID!) { deleteClass(id: $id) }';
    assert.equal(errorCode(await gql(srv.graphqlUrl, DEL_CLASS, { id: dog.id }, stranger.token)), 'NOT_FOUND');
    assert.equal((await gql(srv.graphqlUrl, DEL_CLASS, { id: dog.id }, m.token)).data?.deleteClass, dog.imageCount);
    assert.equal(await blobs(), before - 1 - dog.imageCount);

    const DEL_ALL = 'mutation($m: ID!) { deleteDataset(modelId: $m) }';
    assert.equal(errorCode(await gql(srv.graphqlUrl, DEL_ALL, { m: m.id }, stranger.token)), 'NOT_FOUND');
    assert.equal((await gql(srv.graphqlUrl, DEL_ALL, { m: m.id }, m.token)).data?.deleteDataset, 7 - dog.imageCount);
    assert.equal(await srv.percept.blobs.count(`models/${m.id}/images/`), 0);
    assert.equal(await srv.percept.blobs.count(`models/${m.id}/thumbs/`), 0);
    assert.equal(await srv.percept.blobs.count(`models/${m.id}/sample`), 1, "the model's sample stays");
    const after = (
      await gql(
        srv.graphqlUrl,
        'query($m: ID!) { dataset(modelId: $m) { imageCount classes { id } } }',
        { m: m.id },
        m.token,
      )
    ).data!.dataset;
    assert.deepEqual(after, { imageCount: 0, classes: [] });
  });
});

describe('end to end through the orchestrator', () => {
  test('an uploaded zip is imported by the orchestrator and its report is queryable', async () => {
    const model = await newModel();
    const entries: ZipInput[] = [{ name: 'pets/readme.md', data: Buffer.from('# pets') }];
    for (let i = 0; i < 6; i++)
      entries.push({ name: `pets/${i % 2 ? 'cat' : 'dog'}/${i}.png`, data: await distinctPng(700 + i) });
    const queued = await uploadDataset(srv, model.token, model.id, buildZip(entries));
    const taskId = queued.data!.importDataset.id;
    await waitForTask(srv.graphqlUrl, model.token, taskId, 'SUCCEEDED', 30_000);
    const report = await gql(
      srv.graphqlUrl,
      'query($t: ID!) { importReport(taskId: $t) { imported classes { name imported } skippedFiles { path reason } } }',
      { t: taskId },
      model.token,
    );
    assert.deepEqual(report.data?.importReport, {
      imported: 6,
      classes: [
        { name: 'cat', imported: 3 },
        { name: 'dog', imported: 3 },
      ],
      skippedFiles: [{ path: 'pets/readme.md', reason: 'OUTSIDE_CLASS_FOLDER' }],
    });
    const [row] = await srv.percept.db.query('SELECT payload FROM tasks WHERE id = $1', [taskId]);
    assert.equal(existsSync(row.payload.uploadPath), false, 'the upload is deleted');
  });

  test('a zip whose images all fail ends FAILED with the reasons, leaving no rows or blobs', async () => {
    const model = await newModel();
    const zip = buildZip([
      { name: 'cat/1.png', data: (await distinctPng(800, 64, 64)).subarray(0, 70) },
      { name: 'cat/2.png', data: Buffer.from('not a picture') },
    ]);
    const taskId = (await uploadDataset(srv, model.token, model.id, zip)).data!.importDataset.id;
    const task = await waitForTask(srv.graphqlUrl, model.token, taskId, 'FAILED', 30_000);
    assert.match(task.error ?? '', /No image could be imported from data\.zip: 1 corrupt, 1 not an image/);
    assert.equal(task.attempts, 1, 'not retried: retrying cannot fix the files');
    const [{ n }] = await srv.percept.db.query('SELECT count(*)::int AS n FROM images WHERE "modelId" = $1', [
      model.id,
    ]);
    assert.equal(n, 0);
    assert.equal(await srv.percept.blobs.count(`models/${model.id}/images/`), 0);
  });
});
