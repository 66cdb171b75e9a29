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
// reports the validation accuracy it chooses for each candidate, so the coordinator's pruning
// rules are exercised exactly.
let srv: TestServer;
before(async () => (srv = await startTestServer({ PERCEPT_LOCAL_RUNNERS: '0', PERCEPT_TICK_MS: '200' })));
after(() => srv.stop());

interface Round {
  taskId: string;
  attempt: number;
  type: string;
  payload: {
    candidateId: string;
    toEpoch: number;
    finalize: boolean;
    scheduleEpochs?: number;
    refit?: boolean;
    threads?: number;
    partners?: { candidateId: string }[];
  };
}

/**
 * A model with data, a training run with these options, and a runner to play its rounds (with
 * `runners` > 1, the others are registered too before the run starts, but take no rounds), on
 * this file's server or another; grey images `side` pixels square.
 */
async function trainingRun(input: Record<string, unknown>, runners = 1, server = srv, side = 24) {
  const user = await signUp(server.graphqlUrl);
  await new AuthService(server.percept.db, 1).ensureAdmin(user.email);
  const call = (query: string, variables: Record<string, unknown>, token: string) =>
    gql(server.graphqlUrl, query, variables, token).then((r) => r.data!);
  const runnerToken = (await call('mutation { createRunnerToken(name: "t") { secret } }', {}, user.token))
    .createRunnerToken.secret;
  const register = async (name: string) =>
    (
      await call(
        'mutation($n: String!) { registerRunner(name: $n, backend: "cpu", device: "test") { id } }',
        { n: name },
        runnerToken,
      )
    ).registerRunner.id as string;
  const runnerIds = [await register('test')];
  const runnerId = runnerIds[0]!;
  while (runnerIds.length < runners) runnerIds.push(await register(`test-${runnerIds.length}`));
  const m = await createModel(server.graphqlUrl, user.token, 'pruning', await png(side, side, 1));
  const data = await syntheticZip({ classes: 3, perClass: 20, side });
  await waitForTask(
    server.graphqlUrl,
    user.token,
    (await uploadDataset(server, user.token, m.id, data.zip)).data!.importDataset.id,
  );
  const trainTaskId = (await call(TRAIN, { id: m.id, input }, user.token)).trainModel.id as string;

  /** Rounds claimed and not yet reported: stop() gives them up, so no later test is handed one. */
  const held = new Map<string, Round>();
  const claim = async (): Promise<Round | null> => {
    const round = (
      await call(
        'mutation($r: ID!) { claimTask(runnerId: $r) { taskId attempt type payload } }',
        { r: runnerId },
        runnerToken,
      )
    ).claimTask as Round | null;
    if (round) held.set(round.taskId, round);
    return round;
  };
  const complete = (
    r: Round,
    bestValAccuracy: number,
    validationImages = 200,
    epochSeconds = 1,
    stopReason: 'completed' | 'early-stopped' = 'completed',
  ) => {
    held.delete(r.taskId);
    return call(
      'mutation($rep: RunnerReportInput!, $res: JSON!) { completeTask(report: $rep, result: $res) }',
      {
        rep: { runnerId, taskId: r.taskId, attempt: r.attempt },
        res: {
          epochs: r.payload.toEpoch,
          stopReason,
          bestValAccuracy,
          validationImages,
          history: [
            {
              epoch: 1,
              loss: 1,
              accuracy: 0.5,
              valAccuracy: bestValAccuracy,
              imagesPerSecond: 100,
              seconds: epochSeconds,
            },
          ],
        },
      },
      runnerToken,
    );
  };
  const fail = (r: Round, error: string) => {
    held.delete(r.taskId);
    return call(
      'mutation($rep: RunnerReportInput!, $e: String!) { failTask(report: $rep, error: $e, permanent: true) }',
      { rep: { runnerId, taskId: r.taskId, attempt: r.attempt }, e: error },
      runnerToken,
    );
  };
  const candidates = async () =>
    (
      await call(
        'query($id: ID!) { trainingRun(modelId: $id) { candidates { id status prunedReason } } }',
        { id: m.id },
        user.token,
      )
    ).trainingRun.candidates as { id: string; status: string; prunedReason: string | null }[];
  const selection = async () =>
    (await call('query($id: ID!) { trainingRun(modelId: $id) { selection } }', { id: m.id }, user.token)).trainingRun
      .selection as string | null;
  const stop = async () => {
    await call('mutation($id: ID!) { cancelTask(id: $id) { id } }', { id: trainTaskId }, user.token);
    await waitForTask(server.graphqlUrl, user.token, trainTaskId, 'CANCELLED');
    // Disabling a runner requeues what it holds: report the rounds still held as failed first.
    for (const r of held.values())
      await call(
        'mutation($rep: RunnerReportInput!) { failTask(report: $rep, error: "test over", permanent: true) }',
        { rep: { runnerId, taskId: r.taskId, attempt: r.attempt } },
        runnerToken,
      );
    // The coordinator cancels its rounds as it stops: none may be left for the next test to claim.
    await waitFor('the rounds of the run cancelled', async () => {
      const [{ n }] = (await server.percept.db.query(
        `SELECT count(*)::int AS n FROM tasks WHERE payload->>'trainTaskId' = $1 AND status = 'QUEUED'`,
        [trainTaskId],
      )) as { n: number }[];
      return n === 0 || null;
    });
    // Halving keeps as many candidates as there are working runners: leave the next test only its own.
    for (const id of runnerIds)
      await call('mutation($id: ID!) { setRunnerDisabled(id: $id, disabled: true) { id } }', { id }, user.token);
  };
  return { claim, complete, fail, candidates, selection, stop };
}

test('after a round, a candidate trailing the best by more than the gap is pruned with the reason, and only the others go on', async () => {
  const run = await trainingRun({ candidates: 2, maxEpochs: 10, roundEpochs: 4, pruneGap: 0.1 });
  const [strong, weak] = [
    await waitFor('round 1, candidate A', run.claim),
    await waitFor('round 1, candidate B', run.claim),
  ];
  assert.deepEqual([strong.type, weak.type], ['TRAIN_CANDIDATE', 'TRAIN_CANDIDATE']);
  await run.complete(strong, 0.8);
  await run.complete(weak, 0.5);

  const next = await waitFor('round 2', run.claim);
  assert.equal(next.payload.candidateId, strong.payload.candidateId, 'only the strong candidate trains on');
  assert.equal(next.payload.toEpoch, 8);
  // Each round is judged as it ends: the weak one's verdict may follow the strong one's next round.
  const pruned = await waitFor('the weak candidate pruned', async () => {
    const c = (await run.candidates()).find((x) => x.id === weak.payload.candidateId)!;
    return c.status === 'PRUNED' ? c : null;
  });
  assert.match(
    pruned.prunedReason!,
    /50\.0% trails the best .*80\.0%.* by 30\.0% after 4 epoch.*more than the 10\.0% gap/,
  );
  assert.equal(await run.claim(), null, 'no round for the pruned candidate');
  await run.stop();
});

test('on a handful of validation images a trailing candidate is not pruned: the gap is within chance', async () => {
  const run = await trainingRun({ candidates: 2, maxEpochs: 10, roundEpochs: 4, pruneGap: 0.1 });
  const [a, b] = [await waitFor('round 1, A', run.claim), await waitFor('round 1, B', run.claim)];
  // 0.8 against 0.5 on 12 images: the 95% noise of the difference is about ±38 points.
  await run.complete(a, 0.8, 12);
  await run.complete(b, 0.5, 12);
  const next = [await waitFor('round 2, first', run.claim), await waitFor('round 2, second', run.claim)];
  assert.deepEqual(
    new Set(next.map((r) => r.payload.candidateId)),
    new Set([a.payload.candidateId, b.payload.candidateId]),
    'both train on',
  );
  const states = await run.candidates();
  assert.ok(
    states.every((c) => c.status !== 'PRUNED'),
    JSON.stringify(states),
  );
  await run.stop();
});

test('under a time budget each round keeps the better half, even within the gap', async () => {
  const run = await trainingRun({ candidates: 3, maxEpochs: 10, roundEpochs: 2, pruneGap: 0.5, maxMinutes: 60 });
  // One runner: the first candidate starts alone; its pace (1 s an epoch) leaves room in the hour
  // for every candidate, so the other two start beside its second round.
  const a = await waitFor('A', run.claim);
  assert.equal(await run.claim(), null, 'one runner, no pace known yet: only the first candidate starts');
  // 10,000 validation images: a point of accuracy is more than chance (±1.1 points) there.
  await run.complete(a, 0.8, 10_000);
  const rounds = [await waitFor('2', run.claim), await waitFor('3', run.claim), await waitFor('4', run.claim)];
  const byCandidate = new Map(rounds.map((r) => [r.payload.candidateId, r]));
  assert.equal(byCandidate.size, 3, 'the waiting candidates start once the budget is known to have room');
  await run.complete(byCandidate.get(a.payload.candidateId)!, 0.8, 10_000);
  const [b, c] = rounds.filter((r) => r.payload.candidateId !== a.payload.candidateId);
  await run.complete(b!, 0.79, 10_000);
  await run.complete(c!, 0.78, 10_000);

  const next = [await waitFor('next round, first', run.claim), await waitFor('next round, second', run.claim)];
  assert.deepEqual(
    new Set(next.map((r) => r.payload.candidateId)),
    new Set([a.payload.candidateId, b!.payload.candidateId]),
  );
  const pruned = await waitFor('the third candidate pruned', async () => {
    const x = (await run.candidates()).find((y) => y.id === c!.payload.candidateId)!;
    return x.status === 'PRUNED' ? x : null;
  });
  assert.match(pruned.prunedReason!, /ranked 3 of 3 .*keeps the better half/);
  assert.equal(await run.claim(), null, 'no round for the halved candidate');
  await run.stop();
});

test('under a budget too short for every candidate, one beyond the runners waits for a free runner', async () => {
  const run = await trainingRun({ candidates: 3, maxEpochs: 10, roundEpochs: 2, pruneGap: 0.5, maxMinutes: 60 }, 2);
  const [a, b] = [await waitFor('A', run.claim), await waitFor('B', run.claim)];
  assert.equal(await run.claim(), null, 'two runners: the third candidate waits');
  // 500 s an epoch: the two leaders alone need more than the hour, so the third keeps waiting.
  await run.complete(a, 0.8, 10_000, 500);
  await run.complete(b, 0.79, 10_000, 500);
  const next = [await waitFor('round 2, first', run.claim), await waitFor('round 2, second', run.claim)];
  assert.deepEqual(
    new Set(next.map((r) => r.payload.candidateId)),
    new Set([a.payload.candidateId, b.payload.candidateId]),
  );
  const waiting = (await run.candidates()).find(
    (x) => x.id !== a.payload.candidateId && x.id !== b.payload.candidateId,
  )!;
  assert.equal(waiting.status, 'QUEUED');
  // The second leader converges: its runner is free, so the third candidate starts.
  const [ra, rb] = a.payload.candidateId === next[0]!.payload.candidateId ? next : [next[1]!, next[0]!];
  await run.complete(ra!, 0.81, 10_000, 500);
  await run.complete(rb!, 0.79, 10_000, 500, 'early-stopped');
  const after = [await waitFor('round 3, first', run.claim), await waitFor('round 3, second', run.claim)];
  assert.deepEqual(new Set(after.map((r) => r.payload.candidateId)), new Set([a.payload.candidateId, waiting.id]));
  await run.stop();
});

test('halving never leaves fewer candidates than runners where a replica would not pay: a lone survivor would train no faster', async () => {
  const run = await trainingRun({ candidates: 2, maxEpochs: 10, roundEpochs: 2, pruneGap: 0.5, maxMinutes: 60 }, 2);
  const [a, b] = [await waitFor('A', run.claim), await waitFor('B', run.claim)];
  await run.complete(a, 0.8, 10_000);
  await run.complete(b, 0.7, 10_000);
  const next = [await waitFor('round 2, first', run.claim), await waitFor('round 2, second', run.claim)];
  assert.deepEqual(
    new Set(next.map((r) => r.payload.candidateId)),
    new Set([a.payload.candidateId, b.payload.candidateId]),
    'two runners, two candidates: both train on',
  );
  await run.stop();
});

test('under a budget a round plans only the whole epochs that fit, and the run ends when none does', async () => {
  const run = await trainingRun({ candidates: 1, maxEpochs: 20, roundEpochs: 4, maxMinutes: 1 });
  const first = await waitFor('round 1', run.claim);
  assert.equal(first.payload.toEpoch, 4, 'no pace measured yet: a whole round');
  // 20 s an epoch with under a minute left: two more epochs fit (with their validation), not four.
  await run.complete(first, 0.8, 200, 20);
  const second = await waitFor('round 2', run.claim);
  assert.equal(second.payload.toEpoch, 6);
  // 40 s an epoch now, and less than 40 s left: no epoch fits, so the best is promoted early.
  await run.complete(second, 0.85, 200, 60);
  const promotion = await waitFor('promotion', run.claim);
  assert.equal(promotion.payload.finalize, true);
  await run.stop();
});

test('by default a run trains on past the target accuracy; with stopAtTarget it promotes as soon as the target is met', async () => {
  const plateau = await trainingRun({ candidates: 1, maxEpochs: 6, roundEpochs: 2 });
  const first = await waitFor('round 1', plateau.claim);
  assert.equal(first.payload.scheduleEpochs, 6, 'the learning-rate schedule spans the epoch cap');
  await plateau.complete(first, 0.99);
  const second = await waitFor('round 2', plateau.claim);
  assert.equal(second.payload.finalize, false, 'past the target, training goes on');
  assert.equal(second.payload.toEpoch, 4);
  await plateau.stop();

  const quick = await trainingRun({ candidates: 1, maxEpochs: 6, roundEpochs: 2, stopAtTarget: true });
  const round = await waitFor('round 1', quick.claim);
  await quick.complete(round, 0.99);
  const promotion = await waitFor('promotion', quick.claim);
  assert.equal(promotion.payload.finalize, true, 'the target was met: promote now');
  assert.equal(promotion.payload.candidateId, round.payload.candidateId);
  await quick.stop();
});

test('the chosen candidate trains again, the same way, on its training and validation images; that network is promoted', async () => {
  const run = await trainingRun({ candidates: 1, maxEpochs: 2, roundEpochs: 2 });
  const first = await waitFor('round 1', run.claim);
  await run.complete(first, 0.9);
  const refit = await waitFor('the retraining round', run.claim);
  assert.equal(refit.payload.refit, true);
  assert.equal(refit.payload.finalize, false, 'it trains');
  assert.equal(refit.payload.candidateId, first.payload.candidateId);
  assert.equal(refit.payload.toEpoch, 2, 'as many epochs as the candidate trained');
  assert.equal(refit.payload.scheduleEpochs, first.payload.scheduleEpochs, 'under the same learning-rate schedule');
  await run.complete(refit, 0.9);
  const promotion = await waitFor('promotion', run.claim);
  assert.equal(promotion.payload.finalize, true);
  assert.equal(promotion.payload.refit, true, 'the retrained network is the one promoted');
  assert.match((await run.selection())!, /trained again the same way .* that network is served/);
  await run.stop();

  // When the retraining fails, the candidate as chosen is promoted, and the run says so.
  const again = await trainingRun({ candidates: 1, maxEpochs: 2, roundEpochs: 2 });
  await again.complete(await waitFor('round 1', again.claim), 0.9);
  const failing = await waitFor('the retraining round', again.claim);
  assert.equal(failing.payload.refit, true);
  await again.fail(failing, 'out of memory');
  const fallback = await waitFor('promotion', again.claim);
  assert.equal(fallback.payload.finalize, true);
  assert.ok(!fallback.payload.refit, 'the network as chosen');
  assert.match((await again.selection())!, /did not finish \(out of memory\): it is served as chosen/);
  await again.stop();
});

/** A server of its own where every round pays for a replica (the tiny data sets would not by default). */
const replicaServer = () =>
  startTestServer({ PERCEPT_LOCAL_RUNNERS: '0', PERCEPT_TICK_MS: '200', PERCEPT_REPLICA_MIN_EPOCH_MMACS: '0' });

/**
 * On a server where every round pays for a replica (the tiny data set would not by default), a run
 * of three candidates under an hour's budget on two runners: the first two start, the third waits,
 * and their first rounds report 80% and 79% on 10,000 validation images (within chance: ±1.1
 * points) at 500 s an epoch. `body` plays the rest.
 */
async function replicaRun(
  maxEpochs: number,
  body: (run: Awaited<ReturnType<typeof trainingRun>>, a: Round, b: Round) => Promise<void>,
): Promise<void> {
  const own = await replicaServer();
  try {
    const run = await trainingRun({ candidates: 3, maxEpochs, roundEpochs: 2, maxMinutes: 60 }, 2, own);
    const [a, b] = [await waitFor('A', run.claim), await waitFor('B', run.claim)];
    assert.equal(await run.claim(), null, 'two runners: the third candidate waits');
    await run.complete(a, 0.8, 10_000, 500);
    await run.complete(b, 0.79, 10_000, 500);
    await body(run, a, b);
    await run.stop();
  } finally {
    await own.stop();
  }
}

/** Round 2 of A and B both, one core each (though a replica would pay), while the third candidate waits. */
async function bothTrainOn(run: Awaited<ReturnType<typeof trainingRun>>, a: Round, b: Round): Promise<Round[]> {
  const next = [await waitFor('round 2, first', run.claim), await waitFor('round 2, second', run.claim)];
  assert.deepEqual(
    new Set(next.map((r) => r.payload.candidateId)),
    new Set([a.payload.candidateId, b.payload.candidateId]),
    'both train on',
  );
  for (const r of next) assert.ok(!r.payload.threads, 'one core each');
  assert.equal(await run.claim(), null, 'the third candidate still waits');
  return next;
}

test('under a budget too short for both, a leader whose rounds pay for a replica trains alone: the other is dropped even within chance, and the third waits', async () => {
  // Twelve epochs at 500 s: the hour cannot train both even to most of the cap (ten, eight more
  // each, side by side: 77 minutes with validation); keeping both would halve the leader's epochs.
  await replicaRun(12, async (run, a, b) => {
    const next = await waitFor('round 2', run.claim);
    assert.equal(next.payload.candidateId, a.payload.candidateId);
    assert.equal(next.payload.threads, 2, "the leader's round takes the second runner's core");
    const dropped = (await run.candidates()).find((c) => c.id === b.payload.candidateId)!;
    assert.equal(dropped.status, 'PRUNED');
    assert.match(dropped.prunedReason!, /within chance of the best .* the time budget cannot train every candidate/);
    assert.equal(await run.claim(), null, 'the third candidate does not take the core the leader trains on');
    const third = (await run.candidates()).find(
      (c) => c.id !== a.payload.candidateId && c.id !== b.payload.candidateId,
    )!;
    assert.equal(third.status, 'QUEUED');
  });
});

test('where the budget trains both to the cap on one core each, both train on, though a replica would pay, and promotion offers the runner-up to serve with the best', async () => {
  // Eight epochs at 500 s: the hour trains the two to the cap (six more each, side by side), not the third too.
  await replicaRun(8, async (run, a, b) => {
    const next = await bothTrainOn(run, a, b);
    // 4,000 s an epoch now: no other epoch fits in the hour, nor a retraining on the validation images.
    const [ra, rb] = a.payload.candidateId === next[0]!.payload.candidateId ? next : [next[1]!, next[0]!];
    await run.complete(ra!, 0.82, 10_000, 4000);
    await run.complete(rb!, 0.8, 10_000, 4000);
    const promotion = await waitFor('promotion', run.claim);
    assert.equal(promotion.payload.finalize, true);
    assert.equal(promotion.payload.candidateId, a.payload.candidateId);
    assert.deepEqual(
      promotion.payload.partners?.map((x) => x.candidateId),
      [b.payload.candidateId],
      'the runner-up that trained to the end is offered; the candidate that never trained is not',
    );
  });
});

test('where the budget trains both to most of the cap on one core each, but not all of it, both train on, their schedules ending where the time does', async () => {
  // Ten epochs at 500 s: the hour trains the two to eight (six more each, 58 minutes with
  // validation), not to ten (77): partners need partnerEpochs, 80% of the cap.
  await replicaRun(10, async (run, a, b) => {
    for (const r of await bothTrainOn(run, a, b))
      assert.equal(r.payload.scheduleEpochs, 8, 'the schedule spans the epochs the hour has room for, not the cap');
  });
});

test('a lone leader with batch norm that one core trains to its cap in the time left trains without a replica: the second runner takes the next candidate', async () => {
  // 50×50 images: the generator's networks have batch norm, whose split batches cost accuracy
  // (selection.ts replicaCosts). Three candidates, two runners, an hour, a cap of 10 epochs.
  const own = await replicaServer();
  try {
    const run = await trainingRun(
      { candidates: 3, maxEpochs: 10, roundEpochs: 4, pruneGap: 0.1, maxMinutes: 60 },
      2,
      own,
      50,
    );
    const [a, b] = [await waitFor('A', run.claim), await waitFor('B', run.claim)];
    assert.equal(await run.claim(), null, 'two runners: the third candidate waits');
    // 400 s an epoch: six more epochs of A fit the hour on one core (46 minutes with validation),
    // not A's six and the third's ten on the two runners (61 minutes).
    await run.complete(a, 0.8, 10_000, 400);
    await run.complete(b, 0.5, 10_000, 400);
    const next = [await waitFor('round 2, first', run.claim), await waitFor('round 2, second', run.claim)];
    const leader = next.find((r) => r.payload.candidateId === a.payload.candidateId);
    assert.ok(leader, 'the leader trains on');
    assert.equal(leader.payload.toEpoch, 8);
    assert.ok(!leader.payload.threads, 'on one core: no replica');
    const third = next.find((r) => r !== leader)!;
    assert.notEqual(third.payload.candidateId, b.payload.candidateId, 'the trailing one is pruned');
    assert.equal(third.payload.toEpoch, 4, 'the third candidate starts on the second runner');
    const pruned = (await run.candidates()).find((c) => c.id === b.payload.candidateId)!;
    assert.equal(pruned.status, 'PRUNED');
    await run.stop();
  } finally {
    await own.stop();
  }
});
