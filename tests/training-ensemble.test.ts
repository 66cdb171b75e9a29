import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signUp } from './support/fixtures';
import { gql } from './support/graphql';
import { startTestServer, type TestServer } from './support/server';
import { heldOutAccuracy, syntheticZip, trainedModel } from './support/training';
import { waitFor } from './support/wait';

// Two real local runners, two candidates, and enough training images (more than 2,000) that the
// chosen network is not retrained on its validation images: at promotion the runner-up is offered
// to serve beside it, and the runner decides on the validation images. Which way it decides
// depends on the networks; either way the run must say so, and serve what it says. Three epochs:
// the gap rule prunes no earlier than after four (selection.ts), so the runner-up trains to the end.
let srv: TestServer;
before(async () => {
  srv = await startTestServer({ PERCEPT_LOCAL_RUNNERS: '2', PERCEPT_TICK_MS: '500' });
  await waitFor('runners ready', async () => srv.percept.pool!.idle().length === 2, 60_000);
});
after(() => srv.stop());

interface RoundRow {
  payload: { candidateId: string; finalize: boolean; partners?: { candidateId: string }[] };
  result: { ensemble?: { members: string[]; offered: string[]; validationImages: number } } | null;
  status: string;
}

test('promotion offers the runner-up to serve with the best, and the model serves what validation chose', async () => {
  const { token } = await signUp(srv.graphqlUrl);
  const data = await syntheticZip({ classes: 3, perClass: 1000, side: 8, heldOutPerClass: 10 });
  const modelId = await trainedModel(srv.graphqlUrl, token, {
    name: 'together',
    side: 8,
    data,
    maxEpochs: 3,
    candidates: 2,
  });
  const rounds = (await srv.percept.db.query(
    `SELECT payload, result, status FROM tasks WHERE type = 'TRAIN_CANDIDATE' AND payload->>'modelId' = $1 ORDER BY "createdAt"`,
    [modelId],
  )) as RoundRow[];
  const promotion = rounds.filter((r) => r.payload.finalize).at(-1)!;
  assert.equal(promotion.status, 'SUCCEEDED');
  const trained = new Set(rounds.filter((r) => !r.payload.finalize).map((r) => r.payload.candidateId));
  assert.equal(trained.size, 2, 'both candidates trained');
  const runnerUp = [...trained].find((id) => id !== promotion.payload.candidateId)!;
  assert.deepEqual(
    promotion.payload.partners?.map((p) => p.candidateId),
    [runnerUp],
  );
  const outcome = promotion.result!.ensemble!;
  assert.deepEqual(outcome.offered, [runnerUp]);
  assert.equal(outcome.members[0], promotion.payload.candidateId, 'the chosen network always serves');
  assert.ok(outcome.validationImages > 200, `judged on ${outcome.validationImages} validation images`);

  const q = await gql(
    srv.graphqlUrl,
    `query($id: ID!) { modelEvaluation(modelId: $id) { candidateId networks }
      trainingRun(modelId: $id) { selection candidates { id name } } }`,
    { id: modelId },
    token,
  );
  const { modelEvaluation, trainingRun } = q.data!;
  const nameOf = (id: string) => trainingRun.candidates.find((c: { id: string }) => c.id === id).name;
  // The served networks, and the run's note, match what the runner decided.
  assert.deepEqual(modelEvaluation.networks, outcome.members.map(nameOf));
  if (outcome.members.length > 1) assert.match(trainingRun.selection, /served together with/);
  else
    assert.match(trainingRun.selection, /was not clearly better on the \d+ validation images, so it is served alone/);

  const { accuracy, candidateIds } = await heldOutAccuracy(srv.graphqlUrl, token, modelId, data.heldOut);
  // Chance is 1 in 3.
  assert.ok(accuracy >= 0.6, `held-out accuracy ${accuracy} (${JSON.stringify(outcome)})`);
  assert.deepEqual([...candidateIds], [promotion.payload.candidateId], 'classify names the promoted candidate');
});
