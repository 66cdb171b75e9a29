import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  choose,
  ensembleNote,
  ensemblePartners,
  ensemblesAllowed,
  epochsFor,
  halving,
  nextRoundEnd,
  leader,
  partnerEpochs,
  margin95,
  pruneReason,
  recentAccuracy,
  refitReason,
  replicaCosts,
  replicaPays,
  roundThreads,
  roomForAll,
  scheduleEpochs,
  startNow,
  type Standing,
} from './selection';
import { generateCandidates, LARGE_DATA } from '../ml/generate';

const s = (id: string, order: number, accuracy: number, images: number, loss = 0.5): Standing => ({
  id,
  name: `net ${id}`,
  order,
  epochsDone: 4,
  accuracy,
  loss,
  images,
});

describe('selection on noisy validation figures', () => {
  test('the 95% margin is wide on few images and narrow on many', () => {
    assert.ok(margin95(0.9, 12) > 0.15, `12 images: ±${margin95(0.9, 12)}`);
    assert.ok(margin95(0.9, 10_000) < 0.01);
    // 12 of 12 right is not certainty.
    assert.ok(margin95(1, 12) > 0.1);
  });

  test('prunes only a candidate behind by more than the gap and more than chance', () => {
    const lead = s('a', 0, 0.8, 200);
    assert.match(pruneReason(s('b', 1, 0.5, 200), lead, 0.1)!, /trails the best .* by 30\.0%/);
    assert.equal(pruneReason(s('b', 1, 0.75, 200), lead, 0.1), null, 'within the gap');
    assert.equal(pruneReason(s('b', 1, 0.5, 12), s('a', 0, 0.8, 12), 0.1), null, 'within chance on 12 images');
    assert.equal(pruneReason(lead, lead, 0.1), null);
    assert.equal(pruneReason({ ...s('b', 1, 0.1, 200), epochsDone: 2 }, lead, 0.1), null, 'not before a fair start');
  });

  test('promotes the leader, and says whether its lead is more than chance', () => {
    const many = choose([s('a', 0, 0.9, 6000), s('b', 1, 0.93, 6000)])!;
    assert.equal(many.winner.id, 'b');
    assert.match(many.note, /93\.0% ± 0\.6% on 6000 validation images, clearly ahead/);
    const few = choose([s('a', 0, 0.9, 12), s('b', 1, 1.0, 12)])!;
    assert.equal(few.winner.id, 'b');
    assert.match(few.note, /lead over net a is within chance/);
    assert.equal(choose([]), null);
  });

  test('without validation images the first trained network in the generator order is chosen, and the note says why', () => {
    const none = (id: string, order: number, epochsDone: number): Standing => ({
      ...s(id, order, 0, 0),
      accuracy: null,
      loss: null,
      epochsDone,
    });
    const pick = choose([none('b', 1, 2), none('a', 0, 0), none('c', 2, 2)])!;
    assert.equal(pick.winner.id, 'b', 'a never trained');
    assert.match(pick.note, /no validation images/);
    assert.equal(choose([none('a', 0, 0)]), null, 'nothing trained: nothing to promote');
  });

  test('on equal accuracy the lower validation loss leads, then the generator’s order', () => {
    assert.equal(leader([s('a', 1, 0.9, 6000, 0.4), s('b', 2, 0.9, 6000, 0.3)])!.id, 'b');
    assert.equal(choose([s('a', 1, 0.9, 6000, 0.3), s('b', 0, 0.9, 6000, 0.3)])!.winner.id, 'b');
  });

  test('halving drops the worse half only where the difference is not chance', () => {
    const big = halving([s('a', 0, 0.8, 10_000), s('b', 1, 0.79, 10_000), s('c', 2, 0.78, 10_000)]);
    assert.deepEqual(
      big.map((d) => d.standing.id),
      ['c'],
    );
    assert.deepEqual(halving([s('a', 0, 0.8, 50), s('b', 1, 0.79, 50), s('c', 2, 0.78, 50)]), []);
  });

  test('when the budget cannot train both, halving drops a candidate within chance too, and says so', () => {
    // 565 validation images (fashion-500-rgb64): 1.5 points apart is within chance (±4.0).
    const close = [s('a', 0, 0.86, 565, 0.45), s('b', 1, 0.875, 565, 0.42)];
    assert.deepEqual(halving(close, { keepAtLeast: 1 }), [], 'with room for both, chance protects it');
    const dropped = halving(close, { keepAtLeast: 1, timeBound: true });
    assert.deepEqual(
      dropped.map((d) => d.standing.id),
      ['a'],
    );
    assert.match(
      dropped[0]!.reason,
      /within chance of the best \(±4\.0% on 565 validation images\), but the time budget/,
    );
    // Equal accuracy: the lower validation loss stays.
    const tied = halving([s('a', 0, 0.87, 565, 0.45), s('b', 1, 0.87, 565, 0.42)], { timeBound: true });
    assert.deepEqual(
      tied.map((d) => d.standing.id),
      ['a'],
    );
    // Never below keepAtLeast, time-bound or not.
    assert.deepEqual(halving(close, { keepAtLeast: 2, timeBound: true }), []);
  });

  test('under a budget, candidates start only as runners are free for them, in the generator order', () => {
    const waiting = [s('c', 2, 0, 0), s('a', 0, 0, 0), s('b', 1, 0, 0)];
    const ids = (xs: Standing[]) => xs.map((x) => x.id);
    const short = { budget: true, roomForAll: false };
    assert.deepEqual(ids(startNow(waiting, { started: 0, runners: 2, ...short })), ['a', 'b']);
    // One runner came free (a candidate converged or was pruned): the next in order starts.
    assert.deepEqual(ids(startNow([s('c', 2, 0, 0)], { started: 1, runners: 2, ...short })), ['c']);
    assert.deepEqual(ids(startNow([s('c', 2, 0, 0)], { started: 2, runners: 2, ...short })), []);
    // A lone survivor whose rounds take the second runner's core (a replica): none is free.
    assert.deepEqual(ids(startNow([s('c', 2, 0, 0)], { started: 1, busy: 2, runners: 2, ...short })), []);
    // No runner registered yet: one starts, so the run does not stall.
    assert.deepEqual(ids(startNow(waiting, { started: 0, runners: 0, ...short })), ['a']);
    // A budget with room for every candidate, or none at all: all start at once.
    assert.deepEqual(ids(startNow(waiting, { started: 0, runners: 2, budget: true, roomForAll: true })), [
      'a',
      'b',
      'c',
    ]);
    assert.deepEqual(ids(startNow(waiting, { started: 0, runners: 2, budget: false, roomForAll: false })), [
      'a',
      'b',
      'c',
    ]);
  });

  test('the budget has room for every candidate only when their epochs left fit at the measured pace', () => {
    // Small data: 2 candidates at 2 s an epoch with 40 epochs left, one not started; 2 runners, 10 minutes.
    const small = [
      { epochsLeft: 40, secondsPerEpoch: 2 },
      { epochsLeft: 40, secondsPerEpoch: 2 },
      { epochsLeft: 45, secondsPerEpoch: null },
    ];
    assert.equal(roomForAll({ secondsLeft: 600, runners: 2, candidates: small }), true);
    // Large data: 80 s an epoch, 18 epochs left each, 10 minutes: the leaders alone need 24.
    const large = [
      { epochsLeft: 18, secondsPerEpoch: 80 },
      { epochsLeft: 18, secondsPerEpoch: 80 },
      { epochsLeft: 20, secondsPerEpoch: null },
    ];
    assert.equal(roomForAll({ secondsLeft: 600, runners: 2, candidates: large }), false);
    // Before any pace is known it cannot tell, so it says no.
    assert.equal(
      roomForAll({ secondsLeft: 1e9, runners: 2, candidates: [{ epochsLeft: 1, secondsPerEpoch: null }] }),
      false,
    );
    // A leader last trained with a replica (52 s an epoch on two cores) would take longer on one:
    // all of Fashion-MNIST, 20 epochs left for it and 14 for a cheaper network at 30 s, 17 minutes.
    const fullRun = (threads: number) => [
      { epochsLeft: 20, secondsPerEpoch: 52, threads },
      { epochsLeft: 14, secondsPerEpoch: 30 },
    ];
    assert.equal(roomForAll({ secondsLeft: 1020, runners: 2, candidates: fullRun(1) }), true);
    assert.equal(roomForAll({ secondsLeft: 1020, runners: 2, candidates: fullRun(2) }), false);
  });

  test('halving keeps as many candidates as there are runners to train them', () => {
    const four = [s('a', 0, 0.9, 10_000), s('b', 1, 0.8, 10_000), s('c', 2, 0.7, 10_000), s('d', 3, 0.6, 10_000)];
    assert.deepEqual(
      halving(four).map((d) => d.standing.id),
      ['c', 'd'],
    );
    assert.deepEqual(
      halving(four, { keepAtLeast: 3 }).map((d) => d.standing.id),
      ['d'],
    );
    const two = [s('a', 0, 0.9, 10_000), s('b', 1, 0.8, 10_000)];
    assert.deepEqual(
      halving(two).map((d) => d.standing.id),
      ['b'],
    );
    assert.deepEqual(halving(two, { keepAtLeast: 2 }), []);
  });

  test('judges the weights as they stand: the mean of the last three epochs', () => {
    const recent = recentAccuracy([
      { valAccuracy: 0.1 },
      { valAccuracy: 0.6 },
      { valAccuracy: 0.7 },
      { valAccuracy: 0.8 },
    ]);
    assert.ok(Math.abs(recent! - 0.7) < 1e-12, String(recent));
    assert.equal(recentAccuracy([]), null);
  });

  test('the schedule spans the epoch cap, or what the budget allows at the measured pace', () => {
    const base = { maxEpochs: 30, epochsDone: 2, roundEpochs: 2 };
    assert.equal(scheduleEpochs({ ...base, secondsLeft: null, secondsPerEpoch: null }), 30);
    assert.equal(scheduleEpochs({ ...base, secondsLeft: 600, secondsPerEpoch: 60 }), 10, 'with time for validation');
    assert.equal(scheduleEpochs({ ...base, secondsLeft: 10, secondsPerEpoch: 60 }), 4, 'at least one more round');
    assert.equal(scheduleEpochs({ ...base, secondsLeft: 1e6, secondsPerEpoch: 1 }), 30, 'never past the cap');
  });

  test('a round plans only whole epochs that fit in the time left', () => {
    const base = { maxEpochs: 30, epochsDone: 4, roundEpochs: 2 };
    assert.equal(nextRoundEnd({ ...base, secondsLeft: null, secondsPerEpoch: null }), 6, 'no budget: a whole round');
    assert.equal(nextRoundEnd({ ...base, secondsLeft: 600, secondsPerEpoch: null }), 6, 'no pace yet: a whole round');
    assert.equal(nextRoundEnd({ ...base, secondsLeft: 600, secondsPerEpoch: 60 }), 6);
    assert.equal(nextRoundEnd({ ...base, secondsLeft: 100, secondsPerEpoch: 60 }), 5, 'one epoch fits, not two');
    assert.equal(nextRoundEnd({ ...base, secondsLeft: 65, secondsPerEpoch: 60 }), null, 'not one with its validation');
    assert.equal(
      nextRoundEnd({ ...base, epochsDone: 30, secondsLeft: null, secondsPerEpoch: null }),
      null,
      'at the cap',
    );
    assert.equal(nextRoundEnd({ ...base, epochsDone: 29, secondsLeft: null, secondsPerEpoch: null }), 30);
  });
});

test('small data sets get more epochs than large ones', () => {
  assert.equal(epochsFor(100), 60);
  assert.equal(epochsFor(1000), 45);
  assert.equal(epochsFor(10_000), 30);
  assert.equal(epochsFor(20_000), 25);
  assert.equal(epochsFor(60_000), 25);
  assert.equal(epochsFor(10_000_000), 25);
});

test('the chosen candidate is retrained on training and validation images when that is possible and fits', () => {
  const base = {
    stopAtTarget: false,
    epochs: 20,
    trainImages: 800,
    validationImages: 100,
    testImages: 100,
    secondsLeft: null,
    secondsPerEpoch: 2,
  };
  assert.equal(refitReason(base), null, 'no budget: always');
  assert.match(refitReason({ ...base, stopAtTarget: true })!, /target/);
  assert.match(refitReason({ ...base, validationImages: 0 })!, /no validation images/);
  assert.match(refitReason({ ...base, testImages: 0 })!, /no test images/);
  assert.match(refitReason({ ...base, epochs: 0 })!, /no epoch/);
  assert.match(refitReason({ ...base, trainImages: 5000 })!, /more than 2000 training images/);
  // 20 epochs × 2 s × 1.15 × 900/800 ≈ 52 s, plus 30 s for the promotion.
  assert.equal(refitReason({ ...base, secondsLeft: 90 }), null);
  assert.match(refitReason({ ...base, secondsLeft: 75 })!, /budget/);
  assert.match(refitReason({ ...base, secondsLeft: 600, secondsPerEpoch: null })!, /pace/);
});

test('a round gets the cores of runners no other candidate needs, at most the cap', () => {
  assert.equal(roundThreads(2, 1, 2), 2, 'a lone candidate on two runners');
  assert.equal(roundThreads(2, 2, 2), 1);
  assert.equal(roundThreads(2, 3, 2), 1, 'more candidates than runners');
  assert.equal(roundThreads(8, 1, 2), 2, 'never beyond the cap');
  assert.equal(roundThreads(2, 1, 1), 1, 'replicas turned off');
  assert.equal(roundThreads(0, 1, 2), 1, 'no runner counted yet');
});

test('a replica pays only when an epoch is seconds of arithmetic', () => {
  const minEpochMacs = 5e10;
  // The generator's 2-conv network on 28×28 grey images: 4.24M multiply-adds forward.
  assert.equal(replicaPays({ macs: 4.24e6, trainImages: 500, minEpochMacs }), false);
  assert.equal(replicaPays({ macs: 4.24e6, trainImages: 5_000, minEpochMacs }), true);
  // Its batch-norm network on 64×64 colour: 24.3M.
  assert.equal(replicaPays({ macs: 24.3e6, trainImages: 700, minEpochMacs }), true);
  assert.equal(replicaPays({ macs: 24.3e6, trainImages: 100, minEpochMacs }), false);
});

test('splitting batches with a replica costs only networks with batch norm', () => {
  const [plain, normed] = [false, true].map(
    (batchNorm) =>
      generateCandidates({ inputShape: [28, 28, 1], classes: 10, trainImages: batchNorm ? LARGE_DATA : 5_000 })[0]!,
  );
  assert.ok(normed!.layers.some((l) => l.kind === 'batchNorm'));
  assert.equal(replicaCosts(normed!), true);
  assert.equal(replicaCosts(plain!), false);
});

test('partners kept side by side need time for most of the cap each (rounded up)', () => {
  assert.equal(partnerEpochs(15), 12);
  assert.equal(partnerEpochs(10), 8);
  assert.equal(partnerEpochs(1), 1);
});

test('the best finished candidates are offered to serve with the chosen one, except where they cannot be', () => {
  const [a, b, c, d] = [s('a', 0, 0.93, 6000), s('b', 1, 0.91, 6000), s('c', 2, 0.92, 6000), s('d', 3, 0.95, 6000)];
  const untrained = { ...s('e', 4, 0.99, 6000), epochsDone: 0 };
  const noFigure = { ...s('f', 5, 0, 6000), accuracy: null };
  const offered = (allowed: boolean, refit: boolean) =>
    ensemblePartners([a, b, c, d, untrained, noFigure], d, { allowed, refit }).map((x) => x.id);
  // Best first, at most two partners, never the chosen one, only networks that trained and scored.
  assert.deepEqual(offered(true, false), ['a', 'c']);
  assert.deepEqual(offered(false, false), []);
  // Retrained on its validation images: nothing left to judge an ensemble on.
  assert.deepEqual(offered(true, true), []);
  assert.equal(ensemblesAllowed({ expandable: false, stopAtTarget: false }), true);
  assert.equal(ensemblesAllowed({ expandable: true, stopAtTarget: false }), false);
  assert.equal(ensemblesAllowed({ expandable: false, stopAtTarget: true }), false);
});

test('promotion says which networks serve together, or that serving together was not clearly better', () => {
  const names = (id: string) => `net ${id}`;
  const outcome = {
    members: ['a', 'b'],
    offered: ['b', 'c'],
    validationImages: 6000,
    aloneAccuracy: 0.931,
    accuracy: 0.938,
  };
  assert.equal(
    ensembleNote(outcome, names),
    'It is served together with net b (the mean of their probabilities): 93.8% on the 6000 validation images against 93.1% for it alone.',
  );
  assert.equal(
    ensembleNote({ ...outcome, members: ['a'], accuracy: 0.931 }, names),
    'Serving it together with net b or net c was not clearly better on the 6000 validation images, so it is served alone.',
  );
});
