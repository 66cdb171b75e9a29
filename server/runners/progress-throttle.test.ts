import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Claim } from '../tasks/task-queue';
import { ProgressThrottle } from './progress-throttle';

test('writes of one task land in order, and flush waits for a write in flight', async () => {
  const landed: number[] = [];
  // The first write is slow, as a query waiting for a pool connection under load.
  const throttle = new ProgressThrottle(0, async (_claim, progress) => {
    const step = progress.step as number;
    await new Promise((r) => setTimeout(r, step === 27 ? 50 : 1));
    landed.push(step);
  });
  const claim = { taskId: 't' } as Claim;
  throttle.push(claim, { step: 27 });
  await new Promise((r) => setTimeout(r, 5)); // the timer fired: 27 is in flight
  throttle.push(claim, { step: 30 });
  await throttle.flush('t');
  assert.deepEqual(landed, [27, 30], 'the final report lands last');
  await throttle.flush('t'); // nothing pending, nothing in flight
  assert.deepEqual(landed, [27, 30]);
});
