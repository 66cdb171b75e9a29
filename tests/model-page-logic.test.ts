import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classService, waitingClasses } from '../client/src/lib/heads';
import { batchCsv, batchResult, importProgress } from '../client/src/lib/task-results';
import {
  accuracyWithMargin,
  curvesOf,
  epochsTrained,
  imagesPerSecond,
  leader,
  runFraction,
  type Candidate,
  type Run,
} from '../client/src/lib/training';

// The pure parts of the model page's Dataset, Training and Classify tabs (client/src/lib), run under node.

function candidate(over: Partial<Candidate>): Candidate {
  return {
    id: 'c',
    name: 'net',
    family: 'cnn',
    params: 1000,
    status: 'TRAINING',
    epochsDone: 0,
    bestValAccuracy: null,
    validationAccuracy: null,
    validationMargin: null,
    validationImages: 0,
    testAccuracy: null,
    prunedReason: null,
    history: [],
    live: null,
    ...over,
  };
}

function run(candidates: Candidate[], status: Run['task']['status'] = 'RUNNING'): Run {
  return {
    maxEpochs: 10,
    stopAtTarget: false,
    selection: null,
    etaSeconds: null,
    task: { status } as Run['task'],
    candidates,
  };
}

const epoch = (n: number, loss: number, accuracy: number, valAccuracy: number) => ({
  epoch: n,
  loss,
  accuracy,
  valLoss: loss + 0.1,
  valAccuracy,
  imagesPerSecond: 100,
  seconds: 1,
});

describe('training progress', () => {
  it('counts the epoch in progress by its batches, and a pruned network only for what it did', () => {
    const live = candidate({
      epochsDone: 2,
      live: { phase: 'training', epoch: 3, batch: 5, batches: 10, loss: 0.5, accuracy: 0.8, imagesPerSecond: 120 },
    });
    const pruned = candidate({ status: 'PRUNED', epochsDone: 2 });
    assert.equal(epochsTrained(live), 2.5);
    // (2.5 + 2) of (10 + 2) epochs.
    assert.equal(runFraction(run([live, pruned])), 4.5 / 12);
    assert.equal(runFraction(run([live, pruned], 'SUCCEEDED')), 1);
    assert.equal(imagesPerSecond(run([live, pruned])), 120);
    assert.equal(imagesPerSecond(run([pruned])), null);
  });

  it('grows the training curves with the epoch in progress, and leaves validation to finished epochs', () => {
    const c = candidate({
      epochsDone: 2,
      history: [epoch(1, 1.0, 0.5, 0.55), epoch(2, 0.8, 0.6, 0.65)],
      live: { phase: 'training', epoch: 3, batch: 2, batches: 4, loss: 0.7, accuracy: 0.7, imagesPerSecond: 1 },
    });
    const curves = curvesOf(c);
    assert.deepEqual(curves.loss.train.at(-1), { x: 2.5, y: 0.7 });
    assert.equal(curves.loss.train.length, 3);
    assert.equal(curves.accuracy.validation.length, 2);
    // Once the round's history holds epoch 3, the live point is not drawn twice.
    const done = curvesOf({ ...c, history: [...c.history, epoch(3, 0.6, 0.75, 0.7)] });
    assert.equal(done.loss.train.length, 3);
  });

  it('names the promoted network, or else the best so far', () => {
    // Judged by the weights as they stand, not by a lucky epoch.
    const a = candidate({ id: 'a', bestValAccuracy: 0.95, validationAccuracy: 0.7 });
    const b = candidate({ id: 'b', bestValAccuracy: 0.9, validationAccuracy: 0.9 });
    assert.equal(leader(run([a, b]))?.id, 'b');
    assert.equal(leader(run([{ ...a, status: 'PROMOTED' }, b]))?.id, 'a');
    assert.equal(leader(run([candidate({})])), null);
    assert.equal(
      accuracyWithMargin({ ...b, validationMargin: 0.031, validationImages: 120 }, (x) => `${(x * 100).toFixed(1)} %`),
      '90.0 % ± 3.1 % on 120 validation images',
    );
  });
});

describe('import and batch tasks', () => {
  it('reads import progress, taking the total from the final report', () => {
    assert.deepEqual(importProgress({ phase: 'importing', filesTotal: 10, filesSeen: 4, imported: 3, skipped: 1 }), {
      filesTotal: 10,
      filesSeen: 4,
      imported: 3,
      skipped: 1,
      imagesPerSecond: null,
    });
    assert.equal(importProgress({ phase: 'done', filesSeen: 10, imported: 9, skipped: 1 }).filesTotal, 10);
    assert.equal(importProgress(null).filesSeen, 0);
  });

  it('lists a batch result as CSV: every file, its classes by rank, or why it was skipped', () => {
    const result = batchResult({
      count: 2,
      classified: 1,
      failed: 1,
      results: [
        {
          name: 'a/cat, "tabby".png',
          predictions: [
            { className: 'cat', probability: 0.9 },
            { className: 'dog', probability: 0.1 },
          ],
        },
        { name: 'a/notes.txt', error: 'not an image' },
      ],
    });
    assert.ok(result);
    assert.equal(result.items.length, 2);
    assert.equal(
      batchCsv(result.items),
      'file,class_1,probability_1,class_2,probability_2,error\r\n' +
        '"a/cat, ""tabby"".png",cat,0.900000,dog,0.100000,\r\n' +
        'a/notes.txt,,,,,not an image\r\n',
    );
    assert.equal(batchResult({ phase: 'running' }), null);
  });
});

describe('heads of an expandable model (Dataset and Heads tabs)', () => {
  const heads = [
    { ordinal: 0, status: 'RETIRED' as const, classNames: ['cat', 'dog'] },
    { ordinal: 1, status: 'ACTIVE' as const, classNames: ['cat', 'dog'] },
    { ordinal: 2, status: 'RETIRED' as const, classNames: ['bird'] },
    { ordinal: 3, status: 'REJECTED' as const, classNames: ['fish'] },
  ];

  it('says which head answers a class, which was retired and which waits', () => {
    assert.deepEqual(classService('dog', heads), { kind: 'served', ordinal: 1 });
    assert.deepEqual(classService('bird', heads), { kind: 'retired' });
    assert.deepEqual(classService('fish', heads), { kind: 'waiting' });
    assert.deepEqual(classService('horse', heads), { kind: 'waiting' });
  });

  it('lists the classes with images that wait for a head, none before the model is split', () => {
    const classes = [
      { name: 'cat', imageCount: 9 },
      { name: 'fish', imageCount: 7 },
      { name: 'horse', imageCount: 0 },
      { name: 'bird', imageCount: 5 },
    ];
    assert.deepEqual(
      waitingClasses(classes, heads).map((c) => c.name),
      ['fish'],
    );
    assert.deepEqual(waitingClasses(classes, []), []);
  });
});
