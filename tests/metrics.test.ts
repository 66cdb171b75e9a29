// /metrics (issue 20, item 3): Prometheus text from a real server, admins only on the API's port,
// or open on a listener of its own (PERCEPT_METRICS_LISTEN).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AuthService } from '../server/auth/auth.service';
import { distinctPng, uploadDataset } from './support/datasets';
import { createModel, png, signUp } from './support/fixtures';
import { gql } from './support/graphql';
import { startTestServer, type TestServer } from './support/server';
import { waitFor } from './support/wait';
import { buildZip } from './support/zip';

const scrape = (url: string, token?: string) =>
  fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });

/** The value of one sample line, e.g. `percept_tasks{type="NOOP",status="QUEUED"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics on the API port', () => {
  let srv: TestServer;
  let admin: string;
  before(async () => {
    srv = await startTestServer({ PERCEPT_TICK_MS: '200' });
    await new AuthService(srv.percept.db, 1).ensureAdmin('metrics-admin@example.com', 'admin password');
    admin = (
      await gql(
        srv.graphqlUrl,
        'mutation { logIn(input: {email: "metrics-admin@example.com", password: "admin password"}) { token } }',
      )
    ).data!.logIn.token;
  });
  after(() => srv.stop());

  test('is refused without a token (401) and to a user who is not an admin (403)', async () => {
    assert.equal(srv.percept.metricsUrl, `${srv.url}/metrics`);
    const anonymous = await scrape(srv.percept.metricsUrl);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as any).errors[0].extensions.code, 'UNAUTHENTICATED');
    const user = await signUp(srv.graphqlUrl);
    const forbidden = await scrape(srv.percept.metricsUrl, user.token);
    assert.equal(forbidden.status, 403);
    assert.equal(((await forbidden.json()) as any).errors[0].extensions.code, 'FORBIDDEN');
  });

  test('gives tasks by type and status, queue wait and run time, import count, runner states and classify latency', async () => {
    const user = await signUp(srv.graphqlUrl);
    const model = await createModel(srv.graphqlUrl, user.token, 'metered', await png(16, 12, 3));
    const zip = buildZip([
      { name: 'a/1.png', data: await distinctPng(1) },
      { name: 'a/2.png', data: await distinctPng(2) },
      { name: 'b/3.png', data: await distinctPng(3) },
    ]);
    const queued = await uploadDataset(srv, user.token, model.id, zip);
    const taskId = queued.data!.importDataset.id;
    await waitFor('import done', async () => {
      const t = await gql(srv.graphqlUrl, 'query($id: ID!) { task(id: $id) { status } }', { id: taskId }, user.token);
      return t.data?.task.status === 'SUCCEEDED';
    });
    // Not trained yet: answered at once with an error, and timed all the same.
    const classify = await gql(
      srv.graphqlUrl,
      'mutation($m: ID!, $b: String!) { classify(modelId: $m, image: { base64: $b }) { candidateId } }',
      { m: model.id, b: (await png(16, 12, 3)).toString('base64') },
      user.token,
    );
    assert.equal(classify.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(classify));

    const res = await scrape(srv.percept.metricsUrl, admin);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.equal(sample(text, 'percept_tasks{type="IMPORT_DATASET",status="SUCCEEDED"}'), 1);
    assert.equal(sample(text, 'percept_tasks{type="TRAIN_MODEL",status="RUNNING"}'), 0, 'every combination, zeros too');
    assert.equal(sample(text, 'percept_task_queue_wait_seconds_count{type="IMPORT_DATASET"}'), 1);
    assert.equal(sample(text, 'percept_task_run_seconds_count{type="IMPORT_DATASET",status="SUCCEEDED"}'), 1);
    assert.equal(sample(text, 'percept_images_imported_total'), 3);
    assert.equal(sample(text, 'percept_runners{kind="LOCAL",status="IDLE"}'), 0);
    assert.equal(sample(text, 'percept_classify_seconds_count{operation="classify",outcome="error"}'), 1);
    assert.match(text, /^# TYPE percept_training_images_per_second gauge$/m);
    assert.match(text, /^percept_process_resident_memory_bytes \d+/m);
  });
});

describe('/metrics on a listener of its own (PERCEPT_METRICS_LISTEN)', () => {
  let srv: TestServer;
  before(async () => (srv = await startTestServer({ PERCEPT_METRICS_LISTEN: '127.0.0.1:0' })));
  after(() => srv.stop());

  test('answers there without a token, and not on the API port', async () => {
    assert.notEqual(new URL(srv.percept.metricsUrl).port, new URL(srv.url).port);
    const res = await scrape(srv.percept.metricsUrl);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^percept_tasks\{/m);
    assert.equal((await scrape(`${srv.url}/metrics`)).status, 404);
  });
});
