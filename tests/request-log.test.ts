// Request logs with request ids (issue 20, item 4): one JSON line per request from a real
// `percept serve`, the id sent back as `x-request-id`, named by the request's GraphQL errors, stored
// on the tasks it queues and on the log lines of their handlers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from './support/database';
import { IMPORT_DATASET } from './support/datasets';
import { createModel, png, signUp } from './support/fixtures';
import { gqlUpload } from './support/graphql';
import { percept, type Proc } from './support/process';
import { waitFor } from './support/wait';
import { buildZip } from './support/zip';

let database: TestDatabase;
let dataDir: string;
let server: Proc;
let url: string;

before(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'percept-reqlog-'));
  server = percept(['serve'], {
    DATABASE_URL: database.url,
    PERCEPT_DATA_DIR: dataDir,
    PORT: '0',
    PERCEPT_HOST: '127.0.0.1',
    PERCEPT_LOCAL_RUNNERS: '0',
    PERCEPT_SIGNUP: 'open',
    PERCEPT_TICK_MS: '200',
    PERCEPT_LOG_LEVEL: 'info',
  });
  url = (await server.waitFor(/Percept is running at (\S+)/))[1]!;
});
after(async () => {
  await server.kill();
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The server's JSON log lines so far. */
const logLines = (): Record<string, any>[] =>
  server
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);

test('each request is logged once with its id, which comes back as x-request-id; no tokens in the log', async () => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'caller-chosen.1' },
    body: JSON.stringify({
      query: 'mutation { signUp(input: {email: "a@example.com", password: "correct horse"}) { token } }',
    }),
  });
  assert.equal(res.headers.get('x-request-id'), 'caller-chosen.1');
  const token = ((await res.json()) as { data: { signUp: { token: string } } }).data.signUp.token;

  const fresh = await fetch(`${url}/graphql?sig=secret-signature`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-request-id': 'bad id with spaces',
    },
    body: JSON.stringify({ query: '{ me { email } }' }),
  });
  const id = fresh.headers.get('x-request-id')!;
  assert.match(id, /^[0-9a-f-]{36}$/, 'an unusable caller id is replaced by a UUID');

  const lines = await waitFor('both request lines', async () => {
    const found = logLines().filter((l) => l.req?.id === 'caller-chosen.1' || l.req?.id === id);
    return found.length === 2 ? found : undefined;
  });
  for (const line of lines) {
    assert.equal(line.component, 'http');
    assert.equal(line.msg, 'request completed');
    assert.deepEqual(line.res, { statusCode: 200 });
    assert.equal(line.req.path, '/graphql');
    assert.equal(typeof line.responseTime, 'number');
  }
  assert.doesNotMatch(server.output(), new RegExp(`${token}|secret-signature|authorization`, 'i'));
});

test('GraphQL errors name the request in extensions.requestId', async () => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'err-1' },
    body: JSON.stringify({ query: '{ model(id: "00000000-0000-0000-0000-000000000000") { id } }' }),
  });
  const body = (await res.json()) as { errors: { extensions: Record<string, unknown> }[] };
  assert.deepEqual(body.errors[0]!.extensions, { code: 'UNAUTHENTICATED', requestId: 'err-1' });
});

test('a task queued by a request stores its id, and its handler logs with it', async () => {
  const user = await signUp(`${url}/graphql`);
  const model = await createModel(`${url}/graphql`, user.token, 'logged', await png(8, 8, 3));
  // Every image is broken, so the import (run in the server) fails and logs why.
  const zip = buildZip([
    { name: 'a/1.png', data: Buffer.from('not a png') },
    { name: 'b/2.png', data: Buffer.from('nor this') },
  ]);
  const queued = await gqlUpload(
    `${url}/graphql`,
    IMPORT_DATASET,
    { modelId: model.id, file: null },
    { file: { data: zip, filename: 'broken.zip' } },
    user.token,
    { 'x-request-id': 'import-7' },
  );
  const taskId = queued.data!.importDataset.id as string;
  const [row] = await database.query(`SELECT "requestId" FROM tasks WHERE id = $1`, [taskId]);
  assert.deepEqual(row, { requestId: 'import-7' });

  const failed = await waitFor('the handler logs its failure', async () =>
    logLines().find((l) => l.task === taskId && l.msg === 'task attempt failed'),
  );
  assert.equal(failed.reqId, 'import-7');
});
