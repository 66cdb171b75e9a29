import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gql, gqlUpload } from './support/graphql';
import { createModel, png, signUp } from './support/fixtures';
import { IMPORT_DATASET } from './support/datasets';
import { RestartableServer } from './support/process';
import { syntheticZip, TRAIN, waitForTask } from './support/training';
import { waitFor } from './support/wait';

const server = new RestartableServer('resume-node', { PERCEPT_LOCAL_RUNNERS: '1', PERCEPT_TICK_MS: '500' });
before(() => server.setUp());
after(() => server.tearDown());
const serve = () => server.serve();

test('a server killed with SIGKILL mid-training resumes from the last checkpoint on restart', async () => {
  let url = await serve();
  const user = await signUp(url);
  const m = await createModel(url, user.token, 'resume', await png(32, 32, 1));
  const data = await syntheticZip({ classes: 3, perClass: 200, side: 32 });
  const imp = await gqlUpload(
    url,
    IMPORT_DATASET,
    { modelId: m.id, file: null },
    { file: { data: data.zip, filename: 'd.zip' } },
    user.token,
  );
  await waitForTask(url, user.token, imp.data!.importDataset.id);
  // One candidate, one long round: the kill lands inside the round.
  const train = await gql(
    url,
    TRAIN,
    { id: m.id, input: { candidates: 1, maxEpochs: 30, roundEpochs: 30 } },
    user.token,
  );
  const trainTaskId = train.data!.trainModel.id as string;

  const childOf = async () =>
    (
      await server.database.query(
        `SELECT id, attempts, status, progress, result FROM tasks WHERE type = 'TRAIN_CANDIDATE' AND payload->>'trainTaskId' = $1 AND NOT (payload->>'finalize')::boolean AND payload->'refit' IS NULL`,
        [trainTaskId],
      )
    )[0];
  await waitFor(
    'epoch 3 under way (2 checkpointed)',
    async () => ((await childOf())?.progress?.epoch ?? 0) >= 3,
    120_000,
  );
  await server.procs[0]!.kill('SIGKILL');

  url = await serve();

  // Then the chosen candidate trains again on training and validation images, and is promoted.
  await waitForTask(url, user.token, trainTaskId, 'SUCCEEDED', 300_000);
  const child = await childOf();
  assert.equal(child.status, 'SUCCEEDED');
  assert.equal(child.attempts, 2, 'the interrupted round ran again');
  assert.ok(child.result.resumedFrom < 30);
  assert.ok(child.result.resumedFrom >= 2, `resumed from epoch ${child.result.resumedFrom}, not from the start`);
  // Trained on past the resume point, to the cap or until it converged (neither validation figure improving).
  assert.ok(child.result.epochs > child.result.resumedFrom, JSON.stringify(child.result));
  if (child.result.stopReason === 'completed') assert.equal(child.result.epochs, 30);
  else assert.equal(child.result.stopReason, 'early-stopped');
  const model = (await gql(url, 'query($id: ID!) { model(id: $id) { status } }', { id: m.id }, user.token)).data!.model;
  assert.equal(model.status, 'READY');
});
