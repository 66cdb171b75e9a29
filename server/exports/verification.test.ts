import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareRuns, verified } from './verification';

const run = (...images: [number, number][][]) =>
  images.map((scores) => scores.map(([classIndex, probability]) => ({ classIndex, probability })));

test('identical runs verify', () => {
  const v = compareRuns(
    run([
      [1, 0.7],
      [0, 0.3],
    ]),
    run([
      [1, 0.7],
      [0, 0.3],
    ]),
  );
  assert.deepEqual({ ...v }, { images: 1, top1Agreement: 1, maxProbabilityDifference: 0 });
  assert.ok(verified(v));
});

test('a probability off by 1e-4 or more fails, even when top-1 agrees', () => {
  const v = compareRuns(
    run([
      [1, 0.7],
      [0, 0.3],
    ]),
    run([
      [1, 0.7002],
      [0, 0.2998],
    ]),
  );
  assert.equal(v.top1Agreement, 1);
  assert.ok(Math.abs(v.maxProbabilityDifference - 2e-4) < 1e-9);
  assert.ok(!verified(v));
  assert.ok(verified(compareRuns(run([[1, 0.7]]), run([[1, 0.70005]]))));
});

test('a different top-1 on one image fails with the share that agreed', () => {
  const v = compareRuns(
    run(
      [
        [1, 0.50001],
        [0, 0.49999],
      ],
      [
        [0, 0.9],
        [1, 0.1],
      ],
    ),
    run(
      [
        [0, 0.50001],
        [1, 0.49999],
      ],
      [
        [0, 0.9],
        [1, 0.1],
      ],
    ),
  );
  assert.equal(v.top1Agreement, 0.5);
  assert.ok(!verified(v));
});

test('a class only one side answers counts as fully off; no images verifies nothing', () => {
  assert.equal(
    compareRuns(
      run([
        [0, 0.9],
        [1, 0.1],
      ]),
      run([[0, 0.9]]),
    ).maxProbabilityDifference,
    1,
  );
  assert.ok(!verified(compareRuns([], [])));
});
