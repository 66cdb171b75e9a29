// Fault injection: PostgreSQL stopped for ~3 s under load and started again on the same port and
// data directory. Runs on an embedded PostgreSQL of its own (never the run's shared server, which
// other test files use concurrently) with a real server process and one local runner.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from 'pg';
import { AuthService } from '../server/auth/auth.service';
import { createDataSource } from '../server/db/database';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../server/db/embedded';
import { signUp } from './support/fixtures';
import { gql } from './support/graphql';
import { percept, type Proc } from './support/process';
import { waitFor } from './support/wait';

const TASKS = 6;
const SLEEP_MS = 1500;
const OUTAGE_MS = 3000;
const REQUEST_TIMEOUT_MS = 15_000;

let dataDir: string;
let pg: EmbeddedDatabase;
let port: number;
let server: Proc;
let baseUrl: string;
let token: string;
const taskIds: string[] = [];
/** What the outage scenario observed, for the tests after it. */
const seen = {
  healthDuringOutage: [] as number[],
  healthAfter: 0,
  requests: [] as { ms: number; ok: boolean; timedOut: boolean; error?: string }[],
  listenersBefore: 0,
  listenersAfter: 0,
  done: false,
};

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'percept-faults-pg-'));
  pg = await startEmbeddedPostgres({ dataDir });
  port = Number(new URL(pg.url).port);
  server = percept(['serve'], {
    DATABASE_URL: pg.url,
    PERCEPT_DATA_DIR: join(dataDir, 'server'),
    PERCEPT_NODE_ID: 'faults-pg-node',
    PORT: '0',
    PERCEPT_HOST: '127.0.0.1',
    PERCEPT_LOCAL_RUNNERS: '1',
    PERCEPT_TICK_MS: '500',
    PERCEPT_TASK_LEASE_MS: '5000',
    // An attempt the outage interrupts is retried; five attempts outlast a 3 s outage with room to spare.
    PERCEPT_TASK_MAX_ATTEMPTS: '5',
    PERCEPT_LOG_LEVEL: 'warn',
  });
  baseUrl = (await server.waitFor(/Percept is running at (\S+)/))[1]!;
});

after(async () => {
  await server?.kill('SIGKILL');
  await pg?.stop().catch(() => {});
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A query on the test's PostgreSQL, outside the server. */
async function sql(text: string, params: unknown[] = []): Promise<any[]> {
  const c = new Client({ connectionString: pg.url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** Backends whose last statement was a LISTEN: the orchestrator's wake-ups and the pubsub relay. */
async function listeners(): Promise<number> {
  const [row] = await sql(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query ILIKE 'LISTEN %' AND pid <> pg_backend_pid()`,
  );
  return row.n;
}

async function health(): Promise<number> {
  const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  await res.arrayBuffer();
  return res.status;
}

test('PostgreSQL restarted under load: requests fail fast, /healthz follows, the server serves again', async (t) => {
  const graphqlUrl = `${baseUrl}/graphql`;
  const admin = await signUp(graphqlUrl);
  // What `npm run admin -- <email>` does, on the test's own database.
  const db = createDataSource(pg.url);
  await db.initialize();
  try {
    await new AuthService(db, 1).ensureAdmin(admin.email);
  } finally {
    await db.destroy();
  }
  token = admin.token;
  for (let i = 0; i < TASKS; i++) {
    const res = await gql(
      graphqlUrl,
      'mutation($s: Int!) { createDiagnosticTask(sleepMs: $s) { id } }',
      { s: SLEEP_MS },
      token,
    );
    assert.ok(res.data, JSON.stringify(res.errors));
    taskIds.push(res.data.createDiagnosticTask.id);
  }
  await waitFor('a diagnostic task running', async () => {
    const rows = await sql(`SELECT 1 FROM tasks WHERE status = 'RUNNING'`);
    return rows.length > 0;
  });
  seen.listenersBefore = await listeners();

  // Requests in flight the whole time: four clients in a loop, each request bounded.
  let loading = true;
  const client = async () => {
    while (loading) {
      const t0 = Date.now();
      try {
        const res = await fetch(graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            query: `query($id: ID!) { task(id: $id) { id status } }`,
            variables: { id: taskIds[0] },
          }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const body = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
        const ok = res.ok && !body.errors?.length && Boolean(body.data);
        seen.requests.push({
          ms: Date.now() - t0,
          ok,
          timedOut: false,
          error: ok ? undefined : body.errors?.[0]?.message,
        });
      } catch (e) {
        const timedOut = (e as Error).name === 'TimeoutError';
        seen.requests.push({ ms: Date.now() - t0, ok: false, timedOut, error: String(e) });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const clients = Array.from({ length: 4 }, client);
  await new Promise((r) => setTimeout(r, 500));

  const down = Date.now();
  await pg.stop();
  while (Date.now() - down < OUTAGE_MS) {
    seen.healthDuringOutage.push(await health());
    await new Promise((r) => setTimeout(r, 200));
  }
  pg = await startEmbeddedPostgres({ dataDir, port });

  seen.healthAfter = await waitFor(
    '/healthz 200 after PostgreSQL is back',
    async () => (await health()) === 200 && 200,
    30_000,
  );
  const served = await waitFor(
    'a GraphQL request served after PostgreSQL is back',
    async () => {
      const res = await gql(graphqlUrl, `query($id: ID!) { task(id: $id) { id status } }`, { id: taskIds[0] }, token);
      return res.data?.task ? res : undefined;
    },
    30_000,
  );
  loading = false;
  await Promise.all(clients);

  assert.equal(server.child.exitCode, null, `the server exited:\n${server.output()}`);
  assert.equal(server.child.signalCode, null);
  assert.ok(served.data?.task);
  assert.ok(seen.healthDuringOutage.length > 0);
  assert.ok(
    seen.healthDuringOutage.every((s) => s === 503),
    `/healthz during the outage: ${seen.healthDuringOutage.join(', ')}`,
  );
  assert.equal(seen.healthAfter, 200);
  const timedOut = seen.requests.filter((r) => r.timedOut);
  assert.deepEqual(timedOut, [], 'no request may hang past the timeout');
  assert.ok(
    seen.requests.every((r) => r.ms < REQUEST_TIMEOUT_MS),
    `slowest request ${Math.max(...seen.requests.map((r) => r.ms))} ms`,
  );
  const failed = seen.requests.filter((r) => !r.ok);
  assert.ok(failed.length > 0, 'some requests met the outage');
  assert.ok(
    seen.requests.some((r) => r.ok),
    'some requests succeeded',
  );
  t.diagnostic(
    `requests ${seen.requests.length} (${failed.length} failed), slowest ${Math.max(...seen.requests.map((r) => r.ms))} ms; ` +
      `/healthz during the outage ${seen.healthDuringOutage.join(',')}`,
  );
  seen.listenersAfter = await waitFor('the listeners counted', async () => ({ n: await listeners() }), 5000).then(
    (r) => r.n,
  );
  seen.done = true;
});

// A task whose runner finishes while PostgreSQL is down retries writing its end, keeping its claim
// (and lease) meanwhile; past that it lets go and the lapsed lease requeues it. Found by this test:
// leases used to be renewed by node prefix, so such a task stayed RUNNING until a restart.
test('no task is lost: every queued task runs to SUCCEEDED despite the outage', async () => {
  assert.ok(seen.done, 'the outage scenario did not complete');
  const rows = await waitFor(
    'every diagnostic task finished',
    async () => {
      const r = await sql(`SELECT id, status, error, attempts FROM tasks WHERE id = ANY($1)`, [taskIds]);
      return r.every((t) => t.status === 'SUCCEEDED' || t.status === 'FAILED') ? r : undefined;
    },
    45_000,
  ).catch(async (e: Error) => {
    const r = await sql(
      `SELECT id, status, error, attempts, "lockedBy", "leaseExpiresAt" FROM tasks WHERE id = ANY($1)`,
      [taskIds],
    );
    const notes = server
      .output()
      .split('\n')
      .filter((l) => /could not record/.test(l))
      .map((l) => {
        const { time, msg, task, err } = JSON.parse(l) as {
          time: string;
          msg: string;
          task?: string;
          err?: { message?: string };
        };
        return `${time} ${msg} (task ${task}): ${err?.message}`;
      });
    throw new Error(`${e.message}: ${JSON.stringify(r)}\nserver log:\n${notes.join('\n')}`);
  });
  assert.equal(rows.length, TASKS);
  // A diagnostic task cannot fail on its own: FAILED here means the outage lost its work.
  const failed = rows.filter((t) => t.status !== 'SUCCEEDED');
  assert.deepEqual(failed, [], 'every task succeeded (an interrupted attempt is retried, not lost)');
});

// Both LISTEN connections (server/db/listener.ts) reconnect by themselves after PostgreSQL restarts.
test('the LISTEN connections (orchestrator wake-ups, pubsub relay) are re-established', async () => {
  assert.ok(seen.done, 'the outage scenario did not complete');
  // The orchestrator's connection's last statement is its LISTEN; the relay's is its latest NOTIFY.
  assert.ok(seen.listenersBefore >= 1, `LISTEN backends before the outage: ${seen.listenersBefore}`);
  await waitFor(
    'the orchestrator LISTEN backend back',
    async () => (await listeners()) >= seen.listenersBefore,
    10_000,
  );
  // The relay is back when the server's events reach PostgreSQL again: listen to them here.
  const relayed: string[] = [];
  const listener = new Client({ connectionString: pg.url });
  await listener.connect();
  try {
    listener.on('notification', (msg) => {
      if (msg.channel === 'percept_events' && msg.payload)
        relayed.push((JSON.parse(msg.payload) as { type: string }).type);
    });
    await listener.query('LISTEN percept_events');
    const res = await gql(
      `${baseUrl}/graphql`,
      'mutation($s: Int!) { createDiagnosticTask(sleepMs: $s) { id } }',
      { s: 1 },
      token,
    );
    assert.ok(res.data, JSON.stringify(res.errors));
    await waitFor('a task event relayed through PostgreSQL', async () => relayed.includes('TASK_CHANGED'), 10_000);
  } finally {
    await listener.end();
  }
});
