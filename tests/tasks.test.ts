import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { AuthService } from '../server/auth/auth.service';
import { errorCode, gql } from './support/graphql';
import { signUp } from './support/fixtures';
import { startTestServer, type TestServer } from './support/server';
import { waitFor } from './support/wait';

// Two real local runner processes; a short tick so lapsed leases come back quickly.
let srv: TestServer;
let admin: string;
before(async () => {
  srv = await startTestServer({ PERCEPT_LOCAL_RUNNERS: '2', PERCEPT_TICK_MS: '200', PERCEPT_TASK_LEASE_MS: '3000' });
  const { user } = await new AuthService(srv.percept.db, 1).ensureAdmin('admin@example.com', 'admin password');
  admin = (
    await gql(
      srv.graphqlUrl,
      'mutation { logIn(input: {email: "admin@example.com", password: "admin password"}) { token } }',
    )
  ).data!.logIn.token;
  assert.equal(user.role, 'ADMIN');
  await waitFor('both local runners ready', async () => srv.percept.pool!.idle().length === 2);
});
after(() => srv.stop());

const TASK = 'query($id: ID!) { task(id: $id) { status attempts error result progress runnerId } }';
const task = async (id: string, token = admin) => (await gql(srv.graphqlUrl, TASK, { id }, token)).data?.task;
const diagnostic = async (sleepMs: number, fail?: string) =>
  (
    await gql(
      srv.graphqlUrl,
      'mutation($s: Int!, $f: String) { createDiagnosticTask(sleepMs: $s, fail: $f) { id } }',
      { s: sleepMs, f: fail ?? null },
      admin,
    )
  ).data!.createDiagnosticTask.id as string;
const until = (id: string, status: string, timeoutMs?: number) =>
  waitFor(
    `task ${id} to be ${status}`,
    async () => ((await task(id))?.status === status ? task(id) : undefined),
    timeoutMs,
  );

describe('local runners', () => {
  test('run a queued task in a child process and record progress and result', async () => {
    const id = await diagnostic(300);
    const done = await until(id, 'SUCCEEDED');
    assert.equal(done.attempts, 1);
    assert.deepEqual(done.progress, { step: 3, steps: 3 });
    const pids = srv.percept.pool!.list().map((r) => srv.percept.pool!.pidOf(r.id));
    assert.ok(pids.includes(done.result.pid), 'ran in one of the runner processes, not the server');
    assert.notEqual(done.result.pid, process.pid);
    const runners = (await gql(srv.graphqlUrl, '{ runners { kind backend device status } }', {}, admin)).data!.runners;
    assert.equal(runners.length, 2);
    for (const r of runners) assert.ok(r.backend && r.device, 'runners report their backend and device');
  });

  test('a runner killed with SIGKILL mid-task is restarted and the task finishes on a retry', async () => {
    const id = await diagnostic(3000);
    const runner = await waitFor('the task to be running', async () =>
      srv.percept.pool!.list().find((r) => r.assignment?.taskId === id),
    );
    const pid = srv.percept.pool!.pidOf(runner.id)!;
    process.kill(pid, 'SIGKILL');
    const done = await until(id, 'SUCCEEDED', 30_000);
    assert.equal(done.attempts, 2);
    await waitFor('the killed runner to be back', async () => {
      const newPid = srv.percept.pool!.pidOf(runner.id);
      return newPid !== undefined && newPid !== pid && srv.percept.pool!.idle().some((r) => r.id === runner.id);
    });
  });

  test('a cancelled running task stops within seconds and its runner takes the next task', async () => {
    const id = await diagnostic(60_000);
    await until(id, 'RUNNING');
    await waitFor('progress', async () => (await task(id)).progress);
    const started = Date.now();
    const res = await gql(srv.graphqlUrl, 'mutation($id: ID!) { cancelTask(id: $id) { status } }', { id }, admin);
    assert.equal(res.data?.cancelTask.status, 'RUNNING', 'running tasks are asked to stop');
    await until(id, 'CANCELLED', 10_000);
    assert.ok(Date.now() - started < 5000, `stopped in ${Date.now() - started} ms`);
    const next = await diagnostic(10);
    await until(next, 'SUCCEEDED');
  });

  test('a failing task is retried up to its attempts, then FAILED with the error; a permanent error is not retried', async () => {
    const flaky = await diagnostic(0, 'disk on fire');
    const failed = await until(flaky, 'FAILED', 30_000);
    assert.equal(failed.attempts, 3);
    assert.equal(failed.error, 'disk on fire');
    const permanent = await diagnostic(0, 'permanent');
    const p = await until(permanent, 'FAILED');
    assert.equal(p.attempts, 1);
    assert.match(p.error, /permanently/);

    // An admin retries it: attempts start over.
    const retried = await gql(
      srv.graphqlUrl,
      'mutation($id: ID!) { updateTask(id: $id, input: { status: QUEUED }) { status attempts } }',
      { id: permanent },
      admin,
    );
    // Requeued with its attempts reset; a runner may already have claimed it by the time the answer is read.
    assert.ok(
      ['QUEUED', 'RUNNING'].includes(retried.data?.updateTask.status) && retried.data?.updateTask.attempts <= 1,
      JSON.stringify(retried.data),
    );
    const again = await until(permanent, 'FAILED');
    assert.equal(again.attempts, 1, 'the retry was one fresh attempt');
  });
});

describe('task administration', () => {
  test('illegal status changes say which are allowed; non-admins are refused; owners only see their own', async () => {
    const id = await diagnostic(0);
    await until(id, 'SUCCEEDED');
    const illegal = await gql(
      srv.graphqlUrl,
      'mutation($id: ID!) { updateTask(id: $id, input: { status: RUNNING }) { status } }',
      { id },
      admin,
    );
    assert.equal(errorCode(illegal), 'BAD_USER_INPUT');
    assert.match(illegal.errors![0]!.message, /Allowed changes/);
    const cancelDone = await gql(
      srv.graphqlUrl,
      'mutation($id: ID!) { updateTask(id: $id, input: { status: CANCELLED }) { status } }',
      { id },
      admin,
    );
    assert.equal(errorCode(cancelDone), 'BAD_USER_INPUT');

    const user = await signUp(srv.graphqlUrl);
    for (const op of [
      'mutation($id: ID!) { updateTask(id: $id, input: { priority: 5 }) { id } }',
      'mutation { createDiagnosticTask(sleepMs: 1) { id } }',
      'query { runners { id } }',
    ]) {
      assert.equal(errorCode(await gql(srv.graphqlUrl, op, { id }, user.token)), 'FORBIDDEN', op);
    }
    assert.equal(errorCode(await gql(srv.graphqlUrl, TASK, { id }, user.token)), 'NOT_FOUND');
    assert.equal((await gql(srv.graphqlUrl, '{ tasks { totalCount } }', {}, user.token)).data?.tasks.totalCount, 0);
  });

  test('priority decides which queued task runs first, then age', async () => {
    const runners = srv.percept.pool!.list();
    for (const r of runners)
      await gql(
        srv.graphqlUrl,
        'mutation($id: ID!) { setRunnerDisabled(id: $id, disabled: true) { id } }',
        { id: r.id },
        admin,
      );
    const low = await diagnostic(0);
    const high = await diagnostic(0);
    await gql(
      srv.graphqlUrl,
      'mutation($id: ID!) { updateTask(id: $id, input: { priority: 10 }) { id } }',
      { id: high },
      admin,
    );
    for (const r of runners)
      await gql(
        srv.graphqlUrl,
        'mutation($id: ID!) { setRunnerDisabled(id: $id, disabled: false) { id } }',
        { id: r.id },
        admin,
      );
    await until(low, 'SUCCEEDED');
    const [rows] = [await srv.percept.db.query('SELECT id, "startedAt" FROM tasks WHERE id = ANY($1)', [[low, high]])];
    const started = new Map<string, Date>(rows.map((r: { id: string; startedAt: Date }) => [r.id, r.startedAt]));
    assert.ok(started.get(high)! <= started.get(low)!, 'the high-priority task started first');
  });

  test('taskUpdated sends the current state first, then each change', async () => {
    const id = await diagnostic(600);
    const client = createClient({
      url: srv.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${admin}` },
    });
    const statuses: string[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: 'subscription($id: ID!) { taskUpdated(id: $id) { status progress } }', variables: { id } },
        {
          next: (v) => {
            const s = (v.data as { taskUpdated: { status: string } }).taskUpdated.status;
            statuses.push(s);
            if (s === 'SUCCEEDED') resolve();
          },
          error: reject,
          complete: resolve,
        },
      );
    });
    await client.dispose();
    assert.ok(['QUEUED', 'RUNNING'].includes(statuses[0]!), statuses.join());
    assert.ok(statuses.includes('RUNNING') && statuses.at(-1) === 'SUCCEEDED', statuses.join());
  });
});
