import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthService } from '../server/auth/auth.service';
import { checkpointKey, imageThumbKey, sampleKey, shardKey, shardsPrefix } from '../server/storage/keys';
import { uploadDataset } from './support/datasets';
import { createModel, png } from './support/fixtures';
import { syntheticZip, TRAIN, waitForTask } from './support/training';
import { errorCode, gql } from './support/graphql';
import { percept, type Proc } from './support/process';
import { startTestServer, type TestServer } from './support/server';
import { waitFor } from './support/wait';

// Large enough for a small network's checkpoint and the training zip below, small enough to cross in a test.
const UPLOAD_CAP = 8 * 1024 * 1024;

// No local runners: every task here runs on remote runner processes started from the CLI.
let srv: TestServer;
let admin: string;
let runnerToken: string;
const procs: Proc[] = [];
before(async () => {
  srv = await startTestServer({
    PERCEPT_LOCAL_RUNNERS: '0',
    PERCEPT_TICK_MS: '200',
    PERCEPT_TASK_LEASE_MS: '2000',
    PERCEPT_MAX_UPLOAD_BYTES: String(UPLOAD_CAP),
    // Shards of 28 images of 24×24: a training set spans several.
    PERCEPT_SHARD_BYTES: String(28 * 24 * 24),
  });
  await new AuthService(srv.percept.db, 1).ensureAdmin('admin@example.com', 'admin password');
  admin = (
    await gql(
      srv.graphqlUrl,
      'mutation { logIn(input: {email: "admin@example.com", password: "admin password"}) { token } }',
    )
  ).data!.logIn.token;
  runnerToken = (await gql(srv.graphqlUrl, 'mutation { createRunnerToken(name: "lab") { secret } }', {}, admin)).data!
    .createRunnerToken.secret;
});
after(async () => {
  for (const p of procs) await p.kill('SIGKILL');
  await srv.stop();
});

const startRunner = async (name: string, env: NodeJS.ProcessEnv = {}) => {
  const p = percept(
    ['runner', '--server', srv.url, '--token', runnerToken, '--name', name, '--heartbeat-ms', '300'],
    env,
  );
  procs.push(p);
  await p.waitFor(/joined/);
  return p;
};
const runnerRow = async (name: string) =>
  (
    (await gql(srv.graphqlUrl, '{ runners { id name kind status backend device currentTaskId } }', {}, admin)).data!
      .runners as Record<string, string>[]
  ).find((r) => r.name === name);
const diagnostic = async (sleepMs: number) =>
  (await gql(srv.graphqlUrl, 'mutation($s: Int!) { createDiagnosticTask(sleepMs: $s) { id } }', { s: sleepMs }, admin))
    .data!.createDiagnosticTask.id as string;
const task = async (id: string) =>
  (
    await gql(
      srv.graphqlUrl,
      'query($id: ID!) { task(id: $id) { status attempts result runnerId error } }',
      { id },
      admin,
    )
  ).data!.task;

describe('remote runners', () => {
  test('a runner started from another shell joins, shows its backend, and takes work', async () => {
    const p = await startRunner('box-a');
    const row = await waitFor('box-a listed', () => runnerRow('box-a'));
    assert.equal(row.kind, 'REMOTE');
    assert.equal(row.status, 'IDLE');
    assert.ok(row.backend && row.device);
    const id = await diagnostic(200);
    const done = await waitFor('task done', async () =>
      (await task(id)).status === 'SUCCEEDED' ? task(id) : undefined,
    );
    assert.equal(done.result.pid, p.child.pid, 'ran in the remote runner process');
    await p.kill();
  });

  test('a runner that vanishes loses its task to another runner, which finishes it; it is used again once it reports in', async () => {
    const a = await startRunner('box-b');
    const id = await diagnostic(4000);
    await waitFor('box-b running the task', async () => (await runnerRow('box-b'))?.currentTaskId === id);
    await a.kill('SIGKILL');
    await waitFor('box-b marked FAILED', async () => (await runnerRow('box-b'))?.status === 'FAILED', 15_000);
    const c = await startRunner('box-c');
    const done = await waitFor(
      'task done elsewhere',
      async () => ((await task(id)).status === 'SUCCEEDED' ? task(id) : undefined),
      30_000,
    );
    assert.equal(done.result.pid, c.child.pid);
    assert.equal(done.attempts, 2);

    await startRunner('box-b');
    await waitFor('box-b back', async () => (await runnerRow('box-b'))?.status === 'IDLE');
  });

  test('forged tokens are UNAUTHENTICATED; reports on a task the runner does not hold are FORBIDDEN and change nothing', async () => {
    const forged = await gql(
      srv.graphqlUrl,
      'mutation { registerRunner(name: "x", backend: "cpu", device: "y") { id } }',
      {},
      'pcr_forged',
    );
    assert.equal(errorCode(forged), 'UNAUTHENTICATED');
    const reg = await gql(
      srv.graphqlUrl,
      'mutation { registerRunner(name: "rogue", backend: "cpu", device: "cpu") { id } }',
      {},
      runnerToken,
    );
    const rogue = reg.data!.registerRunner.id as string;
    for (const p of procs) await p.kill('SIGKILL');
    const id = await diagnostic(0);
    const before = await task(id);
    const res = await gql(
      srv.graphqlUrl,
      'mutation($r: RunnerReportInput!) { completeTask(report: $r, result: { forged: true }) }',
      { r: { runnerId: rogue, taskId: id, attempt: 1 } },
      runnerToken,
    );
    assert.equal(errorCode(res), 'FORBIDDEN');
    assert.deepEqual(await task(id), before);
    // A runner token can do nothing but runner work.
    assert.equal(errorCode(await gql(srv.graphqlUrl, '{ tasks { totalCount } }', {}, runnerToken)), 'FORBIDDEN');
  });

  test('a revoked runner token is refused at once', async () => {
    const issued = (
      await gql(
        srv.graphqlUrl,
        'mutation { createRunnerToken(name: "short-lived") { secret token { id } } }',
        {},
        admin,
      )
    ).data!.createRunnerToken;
    const register = 'mutation { registerRunner(name: "tmp", backend: "cpu", device: "cpu") { id } }';
    assert.ok((await gql(srv.graphqlUrl, register, {}, issued.secret)).data?.registerRunner.id);
    await gql(
      srv.graphqlUrl,
      'mutation($id: ID!) { revokeRunnerToken(id: $id) { revokedAt } }',
      { id: issued.token.id },
      admin,
    );
    assert.equal(errorCode(await gql(srv.graphqlUrl, register, {}, issued.secret)), 'UNAUTHENTICATED');
  });

  test('a runner token reaches only the data of the task it holds, under its lease and attempt; uploads are capped', async () => {
    for (const p of procs) await p.kill('SIGKILL');
    const mine = (await createModel(srv.graphqlUrl, admin, 'held')).id;
    const theirs = (await createModel(srv.graphqlUrl, admin, 'not held')).id;
    const candidate = randomUUID();
    const [{ id: taskId }] = (await srv.percept.db.query(
      `INSERT INTO tasks (type, priority, payload, "modelId") VALUES ('TRAIN_CANDIDATE', 100, $1, $2) RETURNING id`,
      [{ modelId: mine, candidateId: candidate, toEpoch: 1, finalize: false }, mine],
    )) as { id: string }[];
    const register = 'mutation($n: String!) { registerRunner(name: $n, backend: "cpu", device: "cpu") { id } }';
    const runnerId = (await gql(srv.graphqlUrl, register, { n: 'scoped' }, runnerToken)).data!.registerRunner.id;
    const claimed = (
      await gql(
        srv.graphqlUrl,
        'mutation($r: ID!) { claimTask(runnerId: $r) { taskId attempt } }',
        { r: runnerId },
        runnerToken,
      )
    ).data!.claimTask as { taskId: string; attempt: number };
    assert.equal(claimed.taskId, taskId);

    const call = (path: string, init: RequestInit & { token?: string } = {}) =>
      fetch(`${srv.url}${path}`, { ...init, headers: { authorization: `Bearer ${init.token ?? runnerToken}` } });
    const at = (attempt = claimed.attempt) => `/runner/tasks/${taskId}/${attempt}`;
    const checkpoint = checkpointKey(mine, candidate);

    // The task's own keys and dataset.
    assert.equal((await call(`${at()}/blobs/${checkpoint}`, { method: 'PUT', body: 'state' })).status, 204);
    assert.equal(await (await call(`${at()}/blobs/${checkpoint}`)).text(), 'state');
    assert.equal((await call(`${at()}/datasets/${mine}`)).status, 200);
    // Anything else, even of the same model, is refused.
    assert.equal((await call(`${at()}/datasets/${theirs}`)).status, 403);
    assert.equal((await call(`${at()}/datasets/${theirs}/loose?ids=${randomUUID()}`)).status, 403);
    // Shards of the task's dataset are readable (this one does not exist), another model's are not.
    assert.equal((await call(`${at()}/blobs/${shardKey(mine, 'a'.repeat(20), 1)}`)).status, 404);
    assert.equal((await call(`${at()}/blobs/${shardKey(theirs, 'a'.repeat(20), 1)}`)).status, 403);
    assert.equal(
      (await call(`${at()}/blobs/${shardKey(mine, 'a'.repeat(20), 1)}`, { method: 'PUT', body: 'x' })).status,
      403,
    );
    assert.equal((await call(`${at()}/blobs/${sampleKey(theirs)}`)).status, 403);
    assert.equal((await call(`${at()}/blobs/${sampleKey(mine)}`)).status, 403);
    const thumb = imageThumbKey(mine, randomUUID());
    assert.equal((await call(`${at()}/blobs/${thumb}`, { method: 'PUT', body: 'evil' })).status, 403);
    assert.equal(await srv.percept.blobs.get(thumb), null);
    assert.equal(
      (await call(`${at()}/blobs/${checkpointKey(theirs, candidate)}`, { method: 'PUT', body: 'x' })).status,
      403,
    );
    // Another attempt, another runner token, or no task named: refused; the old unscoped paths are gone.
    assert.equal((await call(`${at(claimed.attempt + 1)}/blobs/${checkpoint}`)).status, 403);
    const other = (await gql(srv.graphqlUrl, 'mutation { createRunnerToken(name: "other") { secret } }', {}, admin))
      .data!.createRunnerToken.secret as string;
    assert.equal((await call(`${at()}/blobs/${checkpoint}`, { token: other })).status, 403);
    assert.equal((await call(`${at()}/blobs/${checkpoint}`, { token: admin })).status, 403);
    assert.equal((await call(`/runner/blobs/${sampleKey(theirs)}`)).status, 404);
    assert.equal((await call(`/runner/datasets/${theirs}`)).status, 404);

    // Uploads past the cap: refused by their declared length, and while streaming when none is declared.
    const big = Buffer.alloc(UPLOAD_CAP + 1, 1);
    assert.equal((await call(`${at()}/blobs/${checkpoint}`, { method: 'PUT', body: big })).status, 413);
    const chunked = new ReadableStream({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new Uint8Array(UPLOAD_CAP / 2));
        c.close();
      },
    });
    const streamed = await call(`${at()}/blobs/${checkpoint}`, {
      method: 'PUT',
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 413);
    assert.equal(
      await (await call(`${at()}/blobs/${checkpoint}`)).text(),
      'state',
      'the refused uploads changed nothing',
    );

    // Once the attempt ends, its keys are closed too.
    const fail = 'mutation($r: RunnerReportInput!) { failTask(report: $r, error: "done", permanent: true) }';
    assert.ok((await gql(srv.graphqlUrl, fail, { r: { runnerId, ...claimed } }, runnerToken)).data?.failTask);
    assert.equal((await call(`${at()}/blobs/${checkpoint}`)).status, 403);
  });

  test('a remote runner trains a model through the data paths of the tasks it holds', async () => {
    const m = await createModel(srv.graphqlUrl, admin, 'remote shapes', await png(24, 24, 1));
    const data = await syntheticZip({ classes: 3, perClass: 40, side: 24 });
    const imported = await uploadDataset(srv, admin, m.id, data.zip);
    assert.ok(imported.data, JSON.stringify(imported.errors));
    await waitForTask(srv.graphqlUrl, admin, imported.data.importDataset.id);
    // The runner streams: its shuffle buffer holds 8 KiB (14 images) of about 100 training images.
    const cache = mkdtempSync(join(tmpdir(), 'percept-remote-shards-'));
    await startRunner('trainer', { PERCEPT_SHARD_CACHE_DIR: cache, PERCEPT_SHUFFLE_BUFFER_KB: '8' });
    const started = await gql(
      srv.graphqlUrl,
      TRAIN,
      { id: m.id, input: { candidates: 1, maxEpochs: 2, roundEpochs: 2 } },
      admin,
    );
    assert.ok(started.data, JSON.stringify(started.errors));
    await waitForTask(srv.graphqlUrl, admin, started.data.trainModel.id, 'SUCCEEDED', 300_000);
    const model = await gql(srv.graphqlUrl, 'query($id: ID!) { model(id: $id) { status } }', { id: m.id }, admin);
    assert.equal(model.data?.model.status, 'READY', JSON.stringify(model));
    // It read the dataset's shards over HTTP into its disk cache, one file per shard.
    const shards: { key: string }[] = await srv.percept.db.query(
      `SELECT DISTINCT "shardKey" AS key FROM images WHERE "modelId" = $1 AND "shardKey" IS NOT NULL`,
      [m.id],
    );
    assert.equal(shards.length, Math.ceil(120 / 28));
    const cached = readdirSync(cache).filter((f) => !f.endsWith('.tmp'));
    assert.deepEqual(cached.sort(), shards.map((s) => s.key.replace(/[^A-Za-z0-9-]/g, '_')).sort());
    assert.ok(shards.every((s) => s.key.startsWith(shardsPrefix(m.id))));
    rmSync(cache, { recursive: true, force: true });
  });
});
