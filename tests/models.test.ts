import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { errorCode, gql, gqlUpload } from './support/graphql';
import { CREATE_MODEL, createModel, png, signUp } from './support/fixtures';
import { startTestServer, type TestServer } from './support/server';
import { modelPrefix } from '../server/storage/keys';

let srv: TestServer;
before(
  async () =>
    (srv = await startTestServer({ PERCEPT_MAX_IMAGE_PIXELS: '1000000', PERCEPT_MAX_UPLOAD_BYTES: '200000' })),
);
after(() => srv.stop());

const count = async (table: string) =>
  (await srv.percept.db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;
const upload = (token: string, data: Buffer, name = 'm', filename = 'sample.png') =>
  gqlUpload(
    srv.graphqlUrl,
    CREATE_MODEL,
    { input: { name, sampleImage: null } },
    { 'input.sampleImage': { data, filename } },
    token,
  );

describe('creating a model', () => {
  test("the sample image's size and colour become the input shape", async () => {
    const u = await signUp(srv.graphqlUrl);
    const rgb = await createModel(srv.graphqlUrl, u.token, 'colour', await png(40, 30, 3));
    assert.deepEqual([rgb.inputWidth, rgb.inputHeight, rgb.inputChannels], [40, 30, 3]);
    const grey = await createModel(srv.graphqlUrl, u.token, 'grey', await png(28, 28, 1));
    assert.deepEqual([grey.inputWidth, grey.inputHeight, grey.inputChannels], [28, 28, 1]);
    const big = await createModel(srv.graphqlUrl, u.token, 'photo', await png(1000, 500, 3));
    assert.deepEqual([big.inputWidth, big.inputHeight], [256, 128], 'the longest side is capped at 256');
  });

  test('bad input is refused with a clear code and leaves nothing behind', async () => {
    const u = await signUp(srv.graphqlUrl);
    const models = await count('models');
    const blobs = await count('blobs');
    const notImage = await upload(u.token, Buffer.from('this is not an image at all'));
    assert.equal(errorCode(notImage), 'BAD_USER_INPUT');
    assert.match(notImage.errors![0]!.message, /not an image/);
    assert.equal(notImage.errors![0]!.extensions?.field, 'sampleImage');

    const truncated = (await png(64, 64)).subarray(0, 60);
    assert.equal(errorCode(await upload(u.token, truncated)), 'BAD_USER_INPUT');

    const tooManyPixels = await upload(u.token, await png(1200, 1000));
    assert.equal(errorCode(tooManyPixels), 'BAD_USER_INPUT');
    assert.match(tooManyPixels.errors![0]!.message, /limit is 1000000/);

    const emptyName = await upload(u.token, await png(8, 8), '   ');
    assert.equal(errorCode(emptyName), 'BAD_USER_INPUT');
    assert.match(emptyName.errors![0]!.message, /name cannot be empty/);

    const tooLarge = await upload(u.token, Buffer.alloc(300_000, 7));
    assert.equal(errorCode(tooLarge), 'PAYLOAD_TOO_LARGE');

    assert.equal(await count('models'), models);
    assert.equal(await count('blobs'), blobs);
  });

  test('needs a signed-in user', async () => {
    assert.equal(errorCode(await upload('', await png(8, 8))), 'UNAUTHENTICATED');
  });
});

describe('listing, renaming and deleting', () => {
  test('lists are paginated, newest first, and only show my models', async () => {
    const a = await signUp(srv.graphqlUrl);
    const b = await signUp(srv.graphqlUrl);
    for (const name of ['one', 'two', 'three']) await createModel(srv.graphqlUrl, a.token, name);
    await createModel(srv.graphqlUrl, b.token, 'theirs');
    const LIST = 'query($f: Int, $o: Int) { models(first: $f, offset: $o) { totalCount hasNextPage items { name } } }';
    const page1 = await gql(srv.graphqlUrl, LIST, { f: 2, o: 0 }, a.token);
    assert.deepEqual(page1.data?.models, {
      totalCount: 3,
      hasNextPage: true,
      items: [{ name: 'three' }, { name: 'two' }],
    });
    const page2 = await gql(srv.graphqlUrl, LIST, { f: 2, o: 2 }, a.token);
    assert.deepEqual(page2.data?.models, { totalCount: 3, hasNextPage: false, items: [{ name: 'one' }] });
    assert.equal(errorCode(await gql(srv.graphqlUrl, LIST, { f: 1000 }, a.token)), 'BAD_USER_INPUT');
  });

  test("another user's model cannot be read, changed or deleted, and is NOT_FOUND", async () => {
    const a = await signUp(srv.graphqlUrl);
    const b = await signUp(srv.graphqlUrl);
    const m = await createModel(srv.graphqlUrl, a.token, 'private');
    const read = await gql(srv.graphqlUrl, 'query($id: ID!) { model(id: $id) { name } }', { id: m.id }, b.token);
    const rename = await gql(
      srv.graphqlUrl,
      'mutation($id: ID!) { updateModel(id: $id, input: { name: "mine" }) { name } }',
      { id: m.id },
      b.token,
    );
    const del = await gql(srv.graphqlUrl, 'mutation($id: ID!) { deleteModel(id: $id) }', { id: m.id }, b.token);
    for (const res of [read, rename, del]) assert.equal(errorCode(res), 'NOT_FOUND');
    const list = await gql(srv.graphqlUrl, '{ models { items { id } } }', {}, b.token);
    assert.ok(!list.data?.models.items.some((x: { id: string }) => x.id === m.id));
    const still = await gql(srv.graphqlUrl, 'query($id: ID!) { model(id: $id) { name } }', { id: m.id }, a.token);
    assert.equal(still.data?.model.name, 'private');
  });

  test('rename validates the name; delete removes everything the model owns', async () => {
    const a = await signUp(srv.graphqlUrl);
    const m = await createModel(srv.graphqlUrl, a.token, 'before');
    const renamed = await gql(
      srv.graphqlUrl,
      'mutation($id: ID!) { updateModel(id: $id, input: { name: " after " }) { name } }',
      { id: m.id },
      a.token,
    );
    assert.equal(renamed.data?.updateModel.name, 'after');
    const empty = await gql(
      srv.graphqlUrl,
      'mutation($id: ID!) { updateModel(id: $id, input: { name: "" }) { name } }',
      { id: m.id },
      a.token,
    );
    assert.equal(errorCode(empty), 'BAD_USER_INPUT');

    // Give the model one of everything it can own, as later features will.
    const db = srv.percept.db;
    const [cls] = await db.query(
      `INSERT INTO model_classes ("modelId", name, index) VALUES ($1, 'cat', 0) RETURNING id`,
      [m.id],
    );
    await srv.percept.blobs.put(`${modelPrefix(m.id)}images/x`, Buffer.from('pixels'));
    await db.query(
      `INSERT INTO images ("modelId", "classId", source, checksum, "blobKey") VALUES ($1, $2, 'UPLOAD', 'abc', $3)`,
      [m.id, cls.id, `${modelPrefix(m.id)}images/x`],
    );
    await db.query(`INSERT INTO candidates ("modelId", name, family, architecture) VALUES ($1, 'c', 'cnn', '{}')`, [
      m.id,
    ]);
    await db.query(`INSERT INTO heads ("modelId", ordinal, "baseKey") VALUES ($1, 0, 'b')`, [m.id]);
    await db.query(`INSERT INTO tasks (type, "modelId", "ownerId") VALUES ('TRAIN_MODEL', $1, $2)`, [m.id, a.user.id]);

    const del = await gql(srv.graphqlUrl, 'mutation($id: ID!) { deleteModel(id: $id) }', { id: m.id }, a.token);
    assert.equal(del.data?.deleteModel, true);
    for (const table of ['models', 'model_classes', 'images', 'candidates', 'heads', 'tasks']) {
      const [row] = await db.query(
        `SELECT count(*)::int AS n FROM ${table} WHERE ${table === 'models' ? 'id' : '"modelId"'} = $1`,
        [m.id],
      );
      assert.equal(row.n, 0, `${table} rows of the model are gone`);
    }
    assert.equal(await srv.percept.blobs.count(modelPrefix(m.id)), 0, 'blobs of the model are gone');
    const gone = await gql(srv.graphqlUrl, 'query($id: ID!) { model(id: $id) { name } }', { id: m.id }, a.token);
    assert.equal(errorCode(gone), 'NOT_FOUND');
  });
});

describe('modelUpdated subscription (graphql-ws on /graphql)', () => {
  const subscribe = (token: string, id: string) => {
    const client = createClient({
      url: srv.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const events: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      client.subscribe(
        { query: 'subscription($id: ID!) { modelUpdated(id: $id) { name } }', variables: { id } },
        { next: (v) => events.push(v), error: (e) => (events.push({ error: e }), resolve()), complete: resolve },
      );
    });
    return { client, events, done };
  };

  test('pushes a rename to the owner and refuses another user', async () => {
    const a = await signUp(srv.graphqlUrl);
    const b = await signUp(srv.graphqlUrl);
    const m = await createModel(srv.graphqlUrl, a.token, 'live');
    const mine = subscribe(a.token, m.id);
    const theirs = subscribe(b.token, m.id);
    await theirs.done;
    assert.equal(JSON.stringify(theirs.events).includes('NOT_FOUND'), true, JSON.stringify(theirs.events));

    // The subscription is registered asynchronously; rename until the owner hears it.
    const deadline = Date.now() + 5000;
    while (mine.events.length === 0 && Date.now() < deadline) {
      await gql(
        srv.graphqlUrl,
        'mutation($id: ID!) { updateModel(id: $id, input: { name: "renamed" }) { name } }',
        { id: m.id },
        a.token,
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(mine.events[0], { data: { modelUpdated: { name: 'renamed' } } });
    await mine.client.dispose();
    await theirs.client.dispose();
  });
});

describe('limits', () => {
  test('a client can read the limits it will meet', async () => {
    const u = await signUp(srv.graphqlUrl);
    const res = await gql(srv.graphqlUrl, '{ limits { uploadBytes imagePixels maxInputSide } }', {}, u.token);
    assert.deepEqual(res.data?.limits, { uploadBytes: 200000, imagePixels: 1000000, maxInputSide: 256 });
  });
});
