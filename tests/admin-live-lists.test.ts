import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskFieldsFragment } from '../client/src/lib/gql/graphql';
import { mergeTasks, type TaskFilter } from '../client/src/lib/live-tasks';
import { summariseProgress } from '../client/src/lib/task-progress';

// The pure parts of the admin's live task list (client/src/lib), run under node.
const NO_FILTER: TaskFilter = { status: null, type: null, modelId: null, ownerId: null };

function task(id: string, createdSecond: number, over: Partial<TaskFieldsFragment> = {}): TaskFieldsFragment {
  const at = new Date(Date.UTC(2025, 0, 1, 0, 0, createdSecond)).toISOString();
  return {
    id,
    type: 'NOOP',
    status: 'QUEUED',
    priority: 0,
    attempts: 0,
    maxAttempts: 3,
    cancelRequested: false,
    modelId: null,
    runnerId: null,
    progress: null,
    error: null,
    createdAt: at,
    startedAt: null,
    finishedAt: null,
    updatedAt: at,
    ...over,
  };
}
const later = (t: TaskFieldsFragment, seconds: number, over: Partial<TaskFieldsFragment>): TaskFieldsFragment => ({
  ...t,
  ...over,
  updatedAt: new Date(Date.parse(t.updatedAt) + seconds * 1000).toISOString(),
});
const ids = (rows: TaskFieldsFragment[]) => rows.map((t) => t.id);

describe('mergeTasks', () => {
  const b = task('b', 20);
  const a = task('a', 10);
  const page = { items: [b, a], firstPage: true, lastPage: true };

  it('updates a shown task in place with its latest state, and ignores an older one', () => {
    const running = later(a, 5, { status: 'RUNNING' });
    const merged = mergeTasks(page, [running], NO_FILTER, 25);
    assert.deepEqual(ids(merged.rows), ['b', 'a']);
    assert.equal(merged.rows[1].status, 'RUNNING');
    assert.equal(merged.added, 0);
    const stale = {
      ...a,
      status: 'FAILED' as const,
      updatedAt: new Date(Date.parse(a.updatedAt) - 1000).toISOString(),
    };
    assert.equal(mergeTasks(page, [stale], NO_FILTER, 25).rows[1].status, 'QUEUED');
  });

  it('puts a new task on top of the first page, but not of a later one', () => {
    const c = task('c', 30);
    const merged = mergeTasks(page, [c], NO_FILTER, 25);
    assert.deepEqual(ids(merged.rows), ['c', 'b', 'a']);
    assert.equal(merged.added, 1);
    assert.deepEqual(ids(mergeTasks({ ...page, firstPage: false }, [c], NO_FILTER, 25).rows), ['b', 'a']);
  });

  it('adds only tasks that pass the filter and fall within the page', () => {
    const filter: TaskFilter = { ...NO_FILTER, status: 'RUNNING' };
    const running = task('r', 30, { status: 'RUNNING' });
    const queued = task('q', 31);
    const older = task('o', 5, { status: 'RUNNING' });
    const merged = mergeTasks({ ...page, lastPage: false }, [running, queued, older], filter, 25);
    assert.deepEqual(ids(merged.rows), ['r', 'b', 'a']);
  });

  it('keeps the page to its size, dropping the oldest', () => {
    const merged = mergeTasks(page, [task('c', 30), task('d', 40)], NO_FILTER, 3);
    assert.deepEqual(ids(merged.rows), ['d', 'c', 'b']);
  });

  it('asks the server about new tasks under an owner filter, as a task does not say its owner', () => {
    const merged = mergeTasks(page, [task('c', 30)], { ...NO_FILTER, ownerId: 'u1' }, 25);
    assert.deepEqual(ids(merged.rows), ['b', 'a']);
    assert.deepEqual(merged.unsure, ['c']);
  });
});

describe('summariseProgress', () => {
  it('says what the handlers report, with a fraction when there is a total', () => {
    assert.deepEqual(summariseProgress({ step: 3, steps: 10 }), { text: 'step 3 of 10', fraction: 0.3 });
    assert.deepEqual(
      summariseProgress({ phase: 'training', epoch: 2, batch: 5, batches: 20, loss: 0.41234, accuracy: 0.875 }),
      { text: 'training · epoch 2 · batch 5 of 20 · loss 0.412 · accuracy 87.5 %', fraction: 0.25 },
    );
    assert.deepEqual(
      summariseProgress({ phase: 'importing', filesSeen: 50, filesTotal: 200, imported: 48, skipped: 0 }),
      {
        text: 'importing · 50 of 200 files · 48 imported',
        fraction: 0.25,
      },
    );
    assert.deepEqual(summariseProgress({ custom: 'x', nested: { a: 1 } }), { text: 'custom x', fraction: null });
    assert.equal(summariseProgress(null), null);
    assert.equal(summariseProgress({}), null);
  });
});
