import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'graphql-ws';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { AuthService } from '../server/auth/auth.service';
import { connectAndMigrate } from '../server/db/database';
import { gql } from './support/graphql';
import { createModel, png, signUp } from './support/fixtures';
import { createTestDatabase, type TestDatabase } from './support/database';
import { percept, type Proc } from './support/process';
import { waitFor } from './support/wait';

// Real server processes sharing one database, as several API servers would.
let database: TestDatabase;
let db: DataSource;
const dirs: string[] = [];
const servers: Proc[] = [];

before(async () => {
  database = await createTestDatabase();
  db = await connectAndMigrate(database.url);
  await new AuthService(db, 1).ensureAdmin('admin@example.com', 'admin password');
});
after(async () => {
  for (const s of servers) await s.kill('SIGKILL');
  await db.destroy();
  await database.drop();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

async function startServer(nodeId: string, runners: number): Promise<{ proc: Proc; url: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), `percept-${nodeId}-`));
  dirs.push(dataDir);
  const proc = percept(['serve'], {
    DATABASE_URL: database.url,
    PERCEPT_DATA_DIR: dataDir,
    PERCEPT_NODE_ID: nodeId,
    PORT: '0',
    PERCEPT_HOST: '127.0.0.1',
    PERCEPT_LOCAL_RUNNERS: String(runners),
    PERCEPT_SIGNUP: 'open',
    PERCEPT_TICK_MS: '500',
    PERCEPT_TASK_LEASE_MS: '5000',
    PERCEPT_LOG_LEVEL: 'warn',
  });
  servers.push(proc);
  const [, url] = await proc.waitFor(/Percept is running at (\S+)/);
  return { proc, url: url! };
}

async function adminToken(url: string): Promise<string> {
  const res = await gql(
    `${url}/graphql`,
    'mutation { logIn(input: {email: "admin@example.com", password: "admin password"}) { token } }',
  );
  return res.data!.logIn.token;
}

async function runnersReady(n: number) {
  await waitFor(
    `${n} runners idle`,
    async () => {
      const [row] = await db.query(`SELECT count(*)::int AS n FROM runners WHERE status = 'IDLE'`);
      return row.n >= n;
    },
    60_000,
  );
}

describe('two servers on one database', () => {
  test('many queued tasks each run exactly once, on runners of both servers', async () => {
    const a = await startServer('node-a', 2);
    const b = await startServer('node-b', 2);
    await runnersReady(4);
    const token = await adminToken(a.url);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await gql(`${a.url}/graphql`, 'mutation { createDiagnosticTask(sleepMs: 50) { id } }', {}, token);
      ids.push(res.data!.createDiagnosticTask.id);
    }
    await waitFor(
      'all tasks finished',
      async () => {
        const [row] = await db.query(
          `SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1) AND status = 'SUCCEEDED'`,
          [ids],
        );
        return row.n === ids.length;
      },
      120_000,
    );
    const rows: { attempts: number; nodeId: string }[] = await db.query(
      `SELECT t.attempts, r."nodeId" FROM tasks t JOIN runners r ON r.id = t."runnerId" WHERE t.id = ANY($1)`,
      [ids],
    );
    assert.equal(rows.length, ids.length);
    assert.ok(
      rows.every((r) => r.attempts === 1),
      'no task was claimed twice',
    );
    assert.deepEqual(new Set(rows.map((r) => r.nodeId)), new Set(['node-a', 'node-b']), 'both servers took work');
    await a.proc.kill();
    await b.proc.kill();
    assert.equal(a.proc.child.exitCode, 0);
  });

  test('after kill -9 of a server mid-task, the next start requeues the task and it completes once', async () => {
    const first = await startServer('node-c', 1);
    await runnersReady(1);
    const token = await adminToken(first.url);
    const res = await gql(`${first.url}/graphql`, 'mutation { createDiagnosticTask(sleepMs: 4000) { id } }', {}, token);
    const id = res.data!.createDiagnosticTask.id as string;
    await waitFor(
      'task running',
      async () => (await db.query(`SELECT status FROM tasks WHERE id = $1`, [id]))[0].status === 'RUNNING',
    );
    await first.proc.kill('SIGKILL');

    const again = await startServer('node-c', 1);
    const done = await waitFor(
      'task done after restart',
      async () => {
        const [row] = await db.query(`SELECT status, attempts, error FROM tasks WHERE id = $1`, [id]);
        return row.status === 'SUCCEEDED' ? row : undefined;
      },
      60_000,
    );
    assert.equal(done.attempts, 2, 'the interrupted attempt counted, then one that completed');
    await again.proc.kill();
  });

  test('subscribers on one server hear of changes made through another', async () => {
    const a = await startServer('node-d', 0);
    const b = await startServer('node-e', 0);
    const token = await adminToken(a.url);
    const client = createClient({
      url: `${b.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const seen: string[] = [];
    const unsubscribe = client.subscribe(
      { query: 'subscription { tasksChanged { id status } }' },
      {
        next: (v) => seen.push((v.data as { tasksChanged: { id: string } }).tasksChanged.id),
        error: () => {},
        complete: () => {},
      },
    );
    // Queue through A until B's subscriber (registered asynchronously) hears of one.
    const ids: string[] = [];
    await waitFor('an event relayed from A to B', async () => {
      const res = await gql(`${a.url}/graphql`, 'mutation { createDiagnosticTask(sleepMs: 0) { id } }', {}, token);
      ids.push(res.data!.createDiagnosticTask.id);
      await new Promise((r) => setTimeout(r, 200));
      return seen.some((id) => ids.includes(id));
    });
    unsubscribe();
    await client.dispose();
    await a.proc.kill();
    await b.proc.kill();
  });

  test('what one server caches (principals, served models) goes when another server changes it', async () => {
    const a = await startServer('node-f', 0);
    const b = await startServer('node-g', 0);
    const admin = await adminToken(a.url);
    const user = await signUp(`${a.url}/graphql`);
    const onA = (q: string, v: Record<string, unknown>, t: string) => gql(`${a.url}/graphql`, q, v, t);
    const onB = (q: string, v: Record<string, unknown>, t: string) => gql(`${b.url}/graphql`, q, v, t);
    const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code ?? 'ok';
    // Without the relay each would hold for the caches' minute; two seconds is the relay plus polling.
    const soon = (what: string, check: () => Promise<boolean>) => waitFor(what, check, 2000);

    // A role change on A reaches B's cached principal of the user.
    const USERS = 'query { users { totalCount } }';
    assert.equal(code(await onB(USERS, {}, user.token)), 'FORBIDDEN');
    const SET_ROLE = 'mutation($u: ID!, $r: Role!) { setUserRole(userId: $u, role: $r) { role } }';
    await onA(SET_ROLE, { u: user.user.id, r: 'ADMIN' }, admin);
    await soon('B sees the promotion', async () => code(await onB(USERS, {}, user.token)) === 'ok');
    await onA(SET_ROLE, { u: user.user.id, r: 'USER' }, admin);
    await soon('B sees the demotion', async () => code(await onB(USERS, {}, user.token)) === 'FORBIDDEN');

    // A token revoked on A is refused on B, and B closes the socket opened with it.
    const created = await onA(
      'mutation { createApiToken(input: {name: "b"}) { secret token { id } } }',
      {},
      user.token,
    );
    const { secret, token } = created.data!.createApiToken;
    assert.equal(code(await onB('query { me { id } }', {}, secret)), 'ok');
    let closedWith = 0;
    const client = createClient({
      url: `${b.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${secret}` },
      retryAttempts: 0,
      on: { closed: (e) => (closedWith = (e as { code: number }).code) },
    });
    const acked = new Promise<void>((r) => client.on('connected', () => r()));
    client.subscribe(
      { query: 'subscription { tasksChanged { id } }' },
      { next: () => {}, error: () => {}, complete: () => {} },
    );
    await acked;
    await onA('mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: token.id }, user.token);
    await soon(
      'B refuses the revoked token',
      async () => code(await onB('query { me { id } }', {}, secret)) === 'UNAUTHENTICATED',
    );
    await soon('B closes its socket', async () => closedWith === 4401);
    await client.dispose();

    // A model deleted on A is gone from B's classify cache.
    const model = await createModel(`${a.url}/graphql`, user.token);
    const CLASSIFY = 'mutation($m: ID!, $i: ImageInput!) { classify(modelId: $m, image: $i) { candidateId } }';
    const image = { base64: (await png(8, 8)).toString('base64') };
    // Untrained: refused with BAD_USER_INPUT, and cached as such on B.
    assert.equal(code(await onB(CLASSIFY, { m: model.id, i: image }, user.token)), 'BAD_USER_INPUT');
    await onA('mutation($id: ID!) { deleteModel(id: $id) }', { id: model.id }, user.token);
    await soon(
      'B forgets the deleted model',
      async () => code(await onB(CLASSIFY, { m: model.id, i: image }, user.token)) === 'NOT_FOUND',
    );
    await a.proc.kill();
    await b.proc.kill();
  });
});
