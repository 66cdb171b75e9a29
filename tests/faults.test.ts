// Fault injection: a real server process SIGKILLed in the middle of an import, then restarted with
// the same node id and data directory. The import must finish once, with no duplicate or orphan.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { distinctPng, IMPORT_DATASET } from './support/datasets';
import { createModel, signUp } from './support/fixtures';
import { gql, gqlUpload } from './support/graphql';
import { RestartableServer } from './support/process';
import { waitForTask } from './support/training';
import { waitFor } from './support/wait';
import { buildZip, type ZipInput } from './support/zip';

const FILES = 3000;

const server = new RestartableServer('faults-node', { PERCEPT_LOCAL_RUNNERS: '0', PERCEPT_TICK_MS: '200' });
before(() => server.setUp());
after(() => server.tearDown());
const serve = () => server.serve();

test('a server SIGKILLed mid-import finishes the import once on restart: no duplicate, no orphan blob', async (t) => {
  const entries: ZipInput[] = [];
  for (let i = 0; i < FILES; i++) {
    entries.push({ name: `c${i % 3}/${i}.png`, data: await distinctPng(i), method: 'store' });
  }
  const zip = buildZip(entries);

  let url = await serve();
  const user = await signUp(url);
  const model = await createModel(url, user.token, 'faults', await distinctPng(999_999));
  const queued = await gqlUpload(
    url,
    IMPORT_DATASET,
    { modelId: model.id, file: null },
    { file: { data: zip, filename: 'big.zip' } },
    user.token,
  );
  const taskId = queued.data?.importDataset.id as string;
  assert.ok(taskId, JSON.stringify(queued.errors));
  const [{ uploadPath }] = await server.database.query(
    `SELECT payload->>'uploadPath' AS "uploadPath" FROM tasks WHERE id = $1`,
    [taskId],
  );

  const images = async () =>
    (await server.database.query('SELECT count(*)::int AS n FROM images WHERE "modelId" = $1', [model.id]))[0]
      .n as number;
  // Kill once the task is RUNNING and has written some images, well before it has written all.
  const written = await waitFor(
    'the import under way with images written',
    async () => {
      const [t] = await server.database.query('SELECT status FROM tasks WHERE id = $1', [taskId]);
      const n = await images();
      if (t.status !== 'RUNNING' && t.status !== 'QUEUED') throw new Error(`the import ended ${t.status} first`);
      return t.status === 'RUNNING' && n > 0 ? n : undefined;
    },
    60_000,
  );
  await server.procs[0]!.kill('SIGKILL');
  const [killed] = await server.database.query('SELECT status, attempts FROM tasks WHERE id = $1', [taskId]);
  const atKill = await images();
  assert.equal(killed.status, 'RUNNING', 'killed mid-import');
  assert.ok(written > 0 && atKill < FILES, `killed with ${atKill} of ${FILES} images written`);
  assert.ok(existsSync(uploadPath), 'the upload survives the kill, for the retry');
  t.diagnostic(`SIGKILL with ${atKill} of ${FILES} images written`);

  url = await serve();
  const done = await waitForTask(url, user.token, taskId, 'SUCCEEDED', 120_000);
  const [task] = await server.database.query('SELECT status, attempts FROM tasks WHERE id = $1', [taskId]);
  assert.deepEqual(task, { status: 'SUCCEEDED', attempts: 2 }, 'completed once, on the second attempt');
  assert.equal(done.result.imported, FILES, JSON.stringify({ ...done.result, skippedFiles: undefined }));

  const [rows] = await server.database.query(
    'SELECT count(*)::int AS n, count(DISTINCT checksum)::int AS distinct FROM images WHERE "modelId" = $1',
    [model.id],
  );
  assert.deepEqual(rows, { n: FILES, distinct: FILES }, 'no duplicate images');
  const ids: string[] = (await server.database.query('SELECT id FROM images WHERE "modelId" = $1', [model.id])).map(
    (r: { id: string }) => r.id,
  );
  const keys: string[] = (
    await server.database.query(`SELECT key FROM blobs WHERE key LIKE $1`, [`models/${model.id}/images/%`])
  ).map((r: { key: string }) => r.key);
  assert.deepEqual(
    keys.sort(),
    ids.map((id) => `models/${model.id}/images/${id}`).sort(),
    'every image has its blob and no blob is orphaned',
  );
  const classes = await gql(
    url,
    'query($m: ID!) { dataset(modelId: $m) { classes { name imageCount } } }',
    { m: model.id },
    user.token,
  );
  assert.deepEqual(
    classes.data?.dataset.classes,
    [0, 1, 2].map((c) => ({ name: `c${c}`, imageCount: FILES / 3 })),
  );
  assert.equal(existsSync(uploadPath), false, 'the upload is deleted');
  assert.deepEqual(readdirSync(join(server.dataDir, 'uploads')), []);
});
