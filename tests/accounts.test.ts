// The end of an account: deleteAccount, an admin disabling or deleting a user, and the retention
// of finished tasks' payloads and results (docs/security.md, "Data deletion").
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../server/config/config';
import { createModel, signUp } from './support/fixtures';
import { errorCode, gql } from './support/graphql';
import { startTestServer, type TestServer } from './support/server';

let srv: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;
before(async () => {
  srv = await startTestServer();
  admin = await signUp(srv.graphqlUrl, 'admin@example.com'); // from this machine: the first admin
});
after(() => srv?.stop());

const ME = '{ me { email } }';
const LOG_IN = 'mutation($i: CredentialsInput!) { logIn(input: $i) { token } }';
const count = async (sql: string, params: unknown[]) => (await srv.percept.db.query(sql, params))[0].n as number;

/** A user with a model (its sample is a blob), an API token and a finished task. */
async function userWithData() {
  const u = await signUp(srv.graphqlUrl);
  const model = (await createModel(srv.graphqlUrl, u.token, 'mine')).id;
  const api = (
    await gql(srv.graphqlUrl, 'mutation { createApiToken(input: { name: "script" }) { secret } }', {}, u.token)
  ).data!.createApiToken.secret as string;
  await srv.percept.db.query(
    `INSERT INTO tasks (type, status, payload, "ownerId", "finishedAt") VALUES ('NOOP', 'SUCCEEDED', '{}', $1, now())`,
    [u.user.id],
  );
  const owned = async () => ({
    users: await count('SELECT count(*)::int AS n FROM users WHERE id = $1', [u.user.id]),
    models: await count('SELECT count(*)::int AS n FROM models WHERE "ownerId" = $1', [u.user.id]),
    tasks: await count('SELECT count(*)::int AS n FROM tasks WHERE "ownerId" = $1', [u.user.id]),
    tokens: await count('SELECT count(*)::int AS n FROM tokens WHERE "userId" = $1', [u.user.id]),
    blobs: await srv.percept.blobs.count(`models/${model}/`),
  });
  return { ...u, model, api, owned };
}

describe('deleteAccount', () => {
  test('with the password, removes the user and everything they own, and their tokens stop at once', async () => {
    const u = await userWithData();
    const bystander = await userWithData();
    const before = await u.owned();
    assert.ok(
      before.models === 1 && before.tasks >= 1 && before.tokens === 2 && before.blobs >= 1,
      JSON.stringify(before),
    );
    const del = 'mutation($p: String!) { deleteAccount(password: $p) }';
    assert.equal(errorCode(await gql(srv.graphqlUrl, del, { p: 'not my password' }, u.token)), 'BAD_USER_INPUT');
    assert.deepEqual(await u.owned(), before, 'a wrong password deletes nothing');

    assert.equal((await gql(srv.graphqlUrl, del, { p: u.password }, u.token)).data?.deleteAccount, true);
    assert.deepEqual(await u.owned(), { users: 0, models: 0, tasks: 0, tokens: 0, blobs: 0 });
    for (const token of [u.token, u.api]) {
      assert.equal(errorCode(await gql(srv.graphqlUrl, ME, {}, token)), 'UNAUTHENTICATED');
    }
    assert.equal(
      errorCode(await gql(srv.graphqlUrl, LOG_IN, { i: { email: u.email, password: u.password } })),
      'UNAUTHENTICATED',
    );
    const kept = await bystander.owned();
    assert.deepEqual({ ...kept, blobs: kept.blobs > 0 }, { users: 1, models: 1, tasks: 1, tokens: 2, blobs: true });
  });
});

describe('admins', () => {
  test('disable a user: their tokens stop working at once and they cannot log in, until enabled again', async () => {
    const u = await userWithData();
    const disable = 'mutation($u: ID!, $d: Boolean!) { setUserDisabled(userId: $u, disabled: $d) { disabledAt } }';
    assert.equal((await gql(srv.graphqlUrl, ME, {}, u.api)).data?.me.email, u.email);
    const res = await gql(srv.graphqlUrl, disable, { u: u.user.id, d: true }, admin.token);
    assert.ok(res.data?.setUserDisabled.disabledAt, JSON.stringify(res));
    for (const token of [u.token, u.api]) {
      assert.equal(errorCode(await gql(srv.graphqlUrl, ME, {}, token)), 'UNAUTHENTICATED');
    }
    const refused = await gql(srv.graphqlUrl, LOG_IN, { i: { email: u.email, password: u.password } });
    assert.match(refused.errors?.[0]?.message ?? '', /disabled/);
    assert.equal((await u.owned()).models, 1, 'disabling deletes nothing');
    assert.equal((await gql(srv.graphqlUrl, disable, { u: u.user.id, d: false }, admin.token)).errors, undefined);
    assert.ok((await gql(srv.graphqlUrl, LOG_IN, { i: { email: u.email, password: u.password } })).data?.logIn.token);
    assert.equal(
      errorCode(await gql(srv.graphqlUrl, disable, { u: admin.user.id, d: true }, admin.token)),
      'BAD_USER_INPUT',
    );
  });

  test('delete a user and everything they own', async () => {
    const u = await userWithData();
    const del = 'mutation($u: ID!) { deleteUser(userId: $u) }';
    assert.equal(errorCode(await gql(srv.graphqlUrl, del, { u: u.user.id }, u.token)), 'FORBIDDEN');
    assert.equal((await gql(srv.graphqlUrl, del, { u: u.user.id }, admin.token)).data?.deleteUser, true);
    assert.deepEqual(await u.owned(), { users: 0, models: 0, tasks: 0, tokens: 0, blobs: 0 });
    assert.equal(errorCode(await gql(srv.graphqlUrl, ME, {}, u.token)), 'UNAUTHENTICATED');
    assert.equal(errorCode(await gql(srv.graphqlUrl, del, { u: admin.user.id }, admin.token)), 'BAD_USER_INPUT');
  });
});

describe('retention', () => {
  test("finished imports' and batches' payloads and results are purged after PERCEPT_TASK_RETENTION_DAYS (30)", async () => {
    assert.equal(loadConfig({}).taskRetentionDays, 30);
    const task = async (type: string, status: string, daysAgo: number) =>
      (
        await srv.percept.db.query(
          `INSERT INTO tasks (type, status, payload, result, "ownerId", "finishedAt")
           VALUES ($1, $2, '{"filename": "holiday photos.zip"}', '{"results": [{"name": "me.jpg"}]}', $3,
                   now() - make_interval(days => $4)) RETURNING id`,
          [type, status, admin.user.id, daysAgo],
        )
      )[0].id as string;
    const old = await task('IMPORT_DATASET', 'SUCCEEDED', 31);
    const oldBatch = await task('CLASSIFY_BATCH', 'FAILED', 45);
    const recent = await task('CLASSIFY_BATCH', 'SUCCEEDED', 29);
    const training = await task('TRAIN_MODEL', 'SUCCEEDED', 31);
    const running = await task('IMPORT_DATASET', 'RUNNING', 31);
    assert.ok((await srv.percept.services.tasks.purgeExpired(30)) >= 2);
    const row = async (id: string) =>
      (await srv.percept.db.query('SELECT payload, result FROM tasks WHERE id = $1', [id]))[0] as {
        payload: object;
        result: object | null;
      };
    for (const id of [old, oldBatch]) assert.deepEqual(await row(id), { payload: {}, result: null });
    for (const id of [recent, training, running]) assert.ok((await row(id)).result, id);
  });
});
