import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AuthService } from '../server/auth/auth.service';
import { gql } from './support/graphql';
import { createModel, png, signUp } from './support/fixtures';
import { uploadDataset } from './support/datasets';
import { startTestServer, type TestServer } from './support/server';
import { syntheticZip, TRAIN, waitForTask } from './support/training';
import { waitFor } from './support/wait';

// No local runners: this test is the runner. It claims each round through the runner API and
// reports a strong result for one candidate and a weak one for the other, so the coordinator's
// pruning rule is exercised exactly.
let srv: TestServer;
before(async () => (srv = await startTestServer({ PERCEPT_LOCAL_RUNNERS: '0', PERCEPT_TICK_MS: '200' })));
after(() => srv.stop());

test('after a round, a candidate trailing the best by more than the gap is pruned with the reason, and only the others go on', async () => {
  const user = await signUp(srv.graphqlUrl);
  await new AuthService(srv.percept.db, 1).ensureAdmin(user.email);
  const runnerToken = (
    await gql(srv.graphqlUrl, 'mutation { createRunnerToken(name: "t") { secret } }', {}, user.token)
  ).data!.createRunnerToken.secret;
  const runnerId = (
    await gql(
      srv.graphqlUrl,
      'mutation { registerRunner(name: "test", backend: "cpu", device: "test") { id } }',
      {},
      runnerToken,
    )
  ).data!.registerRunner.id;

  const m = await createModel(srv.graphqlUrl, user.token, 'pruning', await png(24, 24, 1));
  const data = await syntheticZip({ classes: 3, perClass: 20, side: 24 });
  await waitForTask(
    srv.graphqlUrl,
    user.token,
    (await uploadDataset(srv, user.token, m.id, data.zip)).data!.importDataset.id,
  );
  const train = await gql(
    srv.graphqlUrl,
    TRAIN,
    { id: m.id, input: { candidates: 2, maxEpochs: 10, roundEpochs: 2, pruneGap: 0.1 } },
    user.token,
  );
  const trainTaskId = train.data!.trainModel.id as string;

  const claim = async () =>
    (
      await gql(
        srv.graphqlUrl,
        'mutation($r: ID!) { claimTask(runnerId: $r) { taskId attempt type payload } }',
        { r: runnerId },
        runnerToken,
      )
    ).data!.claimTask;
  const rounds = [await waitFor('round 1, candidate A', claim), await waitFor('round 1, candidate B', claim)];
  assert.deepEqual(
    rounds.map((r) => r.type),
    ['TRAIN_CANDIDATE', 'TRAIN_CANDIDATE'],
  );
  const [strong, weak] = rounds;
  const report = (r: { taskId: string; attempt: number }, bestValAccuracy: number) =>
    gql(
      srv.graphqlUrl,
      'mutation($rep: RunnerReportInput!, $res: JSON!) { completeTask(report: $rep, result: $res) }',
      {
        rep: { runnerId, taskId: r.taskId, attempt: r.attempt },
        res: {
          epochs: 2,
          stopReason: 'completed',
          bestValAccuracy,
          history: [
            { epoch: 1, loss: 1, accuracy: 0.5, valAccuracy: bestValAccuracy, imagesPerSecond: 100, seconds: 1 },
          ],
        },
      },
      runnerToken,
    );
  await report(strong, 0.8);
  await report(weak, 0.5);

  const next = await waitFor('round 2', claim);
  assert.equal(next.payload.candidateId, strong.payload.candidateId, 'only the strong candidate trains on');
  assert.equal(next.payload.toEpoch, 4);
  const run = (
    await gql(
      srv.graphqlUrl,
      'query($id: ID!) { trainingRun(modelId: $id) { candidates { id status prunedReason } } }',
      { id: m.id },
      user.token,
    )
  ).data!.trainingRun;
  const pruned = run.candidates.find((c: { id: string }) => c.id === weak.payload.candidateId);
  assert.equal(pruned.status, 'PRUNED');
  assert.match(pruned.prunedReason, /50\.0% trails the best .*80\.0%.* by more than 10\.0% after 2 epoch/);
  assert.equal(await claim(), null, 'no round for the pruned candidate');

  await gql(srv.graphqlUrl, 'mutation($id: ID!) { cancelTask(id: $id) { id } }', { id: trainTaskId }, user.token);
  await waitForTask(srv.graphqlUrl, user.token, trainTaskId, 'CANCELLED');
});
