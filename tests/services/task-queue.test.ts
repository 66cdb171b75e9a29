// Queue transitions (server/tasks/task-queue.ts, task.service.ts) against real PostgreSQL:
// claims, fencing, retries with backoff, permanent failures, cancellation, requeue and retry.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { UserPrincipal } from '../../server/auth/principal';
import { Role } from '../../server/auth/user.entity';
import { Task, TaskStatus, TaskType } from '../../server/tasks/task.entity';
import { claimOf, LeaseLostError, type TaskQueue } from '../../server/tasks/task-queue';
import { serviceHarness, type ServiceHarness } from '../support/services';

let h: ServiceHarness;
let queue: TaskQueue;
let admin: UserPrincipal;
const NODE = { nodeId: 'node-a' };

before(async () => {
  h = await serviceHarness({ PERCEPT_TASK_MAX_ATTEMPTS: '2' });
  queue = h.services.tasks.queue;
  admin = await h.user(Role.ADMIN);
});
after(() => h?.close());

const row = (id: string) => h.db.getRepository(Task).findOneByOrFail({ id });
const noop = () => queue.enqueue({ type: TaskType.NOOP, payload: {}, ownerId: admin.userId, modelId: null });
/** Claims `id` (the only task of its priority) as `holder`. */
async function claim(id: string, holder = 'node-a/r1') {
  await h.db.query('UPDATE tasks SET priority = 1000 WHERE id = $1', [id]);
  const task = await queue.claim(holder, [TaskType.NOOP], NODE);
  assert.equal(task?.id, id, 'claimed the task');
  await h.db.query('UPDATE tasks SET priority = 0 WHERE id = $1', [id]);
  return claimOf(task!);
}

test('claim → complete: SUCCEEDED with its result; the claim cannot write twice', async () => {
  const { id } = await noop();
  const c = await claim(id);
  assert.equal((await row(id)).status, TaskStatus.RUNNING);
  await queue.complete(c, { pid: 1 });
  const done = await row(id);
  assert.deepEqual([done.status, done.result, done.lockedBy], [TaskStatus.SUCCEEDED, { pid: 1 }, null]);
  await assert.rejects(queue.complete(c, { pid: 2 }), LeaseLostError);
});

test('a failed attempt is retried after a backoff, and fails for good on the last attempt', async () => {
  const { id } = await noop();
  assert.equal(await queue.fail(await claim(id), 'flaky'), TaskStatus.QUEUED);
  const retry = await row(id);
  assert.equal(retry.error, 'flaky');
  assert.ok(retry.runAt.getTime() > Date.now(), 'not claimable before its backoff');
  assert.equal(await queue.claim('node-a/r1', [TaskType.NOOP], NODE), null);
  await h.db.query('UPDATE tasks SET "runAt" = now() WHERE id = $1', [id]);
  assert.equal(await queue.fail(await claim(id), 'flaky again'), TaskStatus.FAILED, 'two attempts used');
  const failed = await row(id);
  assert.deepEqual([failed.error, failed.attempts], ['flaky again', 2]);
});

test('a permanent error fails at once, with attempts left', async () => {
  const { id } = await noop();
  assert.equal(await queue.fail(await claim(id), 'bad input', true), TaskStatus.FAILED);
  assert.equal((await row(id)).attempts, 1);
});

test('cancel: a queued task ends at once; a running one when its holder stops', async () => {
  const queued = await noop();
  await h.services.tasks.cancel(admin, queued.id);
  assert.equal((await row(queued.id)).status, TaskStatus.CANCELLED);

  const { id } = await noop();
  const c = await claim(id);
  await h.services.tasks.cancel(admin, id);
  assert.deepEqual(
    [(await row(id)).status, (await queue.heartbeat(c)).cancelRequested],
    [TaskStatus.RUNNING, true],
    'asked to stop',
  );
  assert.equal(await queue.fail(c, 'cancelled'), TaskStatus.CANCELLED, 'not retried');
});

test('requeue fences off the old holder; retry gives a failed task fresh attempts', async () => {
  const { id } = await noop();
  const old = await claim(id);
  await h.services.tasks.update(admin, id, { status: TaskStatus.QUEUED });
  await assert.rejects(queue.complete(old, {}), LeaseLostError, "the old holder's result is refused");
  const again = await claim(id, 'node-a/r2');
  assert.equal(again.attempt, 2, 'the interrupted attempt counts');
  await queue.fail(again, 'boom', true);
  await h.services.tasks.update(admin, id, { status: TaskStatus.QUEUED });
  const retried = await row(id);
  assert.deepEqual([retried.status, retried.attempts], [TaskStatus.QUEUED, 0]);
});

test('changes outside the allowed ones are refused with the rule', async () => {
  const { id } = await noop();
  await queue.complete(await claim(id), {});
  await assert.rejects(h.services.tasks.update(admin, id, { status: TaskStatus.QUEUED }), /SUCCEEDED task cannot/);
  await assert.rejects(h.services.tasks.update(admin, id, { status: TaskStatus.RUNNING }), /cannot be set to RUNNING/);
  await assert.rejects(h.services.tasks.cancel(admin, id), /SUCCEEDED task cannot become CANCELLED/);
});
