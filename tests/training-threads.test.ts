import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signUp } from './support/fixtures';
import { startTestServer, type TestServer } from './support/server';
import { heldOutAccuracy, syntheticZip, trainedModel } from './support/training';
import { waitFor } from './support/wait';

// Two real local runners and one candidate: the candidate's rounds may use the idle runner's core,
// and the runner trains with a replica in a worker thread (server/ml/replica.ts). The work from
// which a replica pays is set to nothing here, so tiny images take that path in CI time.
let srv: TestServer;
before(async () => {
  srv = await startTestServer({
    PERCEPT_LOCAL_RUNNERS: '2',
    PERCEPT_TICK_MS: '500',
    PERCEPT_REPLICA_MIN_EPOCH_MMACS: '0',
  });
  await waitFor('runners ready', async () => srv.percept.pool!.idle().length === 2, 60_000);
});
after(() => srv.stop());

interface RoundRow {
  payload: { threads?: number; finalize: boolean; refit?: boolean };
  result: { threads?: number; epochs?: number } | null;
  status: string;
}

test('a lone candidate on two runners trains with a replica on the second core, and the model serves', async () => {
  const { token } = await signUp(srv.graphqlUrl);
  const data = await syntheticZip({ classes: 3, perClass: 80, side: 16, heldOutPerClass: 10 });
  const modelId = await trainedModel(srv.graphqlUrl, token, { name: 'threads', side: 16, data, maxEpochs: 12 });
  const rounds = (await srv.percept.db.query(
    `SELECT payload, result, status FROM tasks WHERE type = 'TRAIN_CANDIDATE' AND payload->>'modelId' = $1 ORDER BY "createdAt"`,
    [modelId],
  )) as RoundRow[];
  const training = rounds.filter((r) => !r.payload.finalize);
  assert.ok(training.length > 0, JSON.stringify(rounds));
  for (const r of training) {
    assert.equal(r.status, 'SUCCEEDED');
    assert.equal(r.payload.threads, 2, 'one candidate, two runners: the round may use both cores');
    assert.equal(r.result?.threads, 2, 'and the runner trained with a replica');
  }
  // The network trained on both parts of every batch: it tells the shapes apart (chance is 1 in 3).
  const { accuracy } = await heldOutAccuracy(srv.graphqlUrl, token, modelId, data.heldOut);
  assert.ok(accuracy >= 0.6, `held-out accuracy ${accuracy}`);
});
