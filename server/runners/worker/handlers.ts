import { PermanentTaskError } from '../../tasks/task-types';
import { TaskType } from '../../tasks/task.entity';
import type { DatasetCache, RunnerData } from '../data/runner-data';
import { splitModelTask } from './split-model';
import { trainCandidate } from './train-candidate';
import { trainHeadTask } from './train-head';

export interface RunnerTaskContext {
  payload: Record<string, unknown>;
  signal: AbortSignal;
  progress(progress: Record<string, unknown>): Promise<void>;
  data: RunnerData;
  datasets: DatasetCache;
}

export type RunnerHandler = (ctx: RunnerTaskContext) => Promise<Record<string, unknown>>;

/** Sleeps, reporting progress; fails on request. Used to measure and test the queue itself. */
const noop: RunnerHandler = async ({ payload, signal, progress }) => {
  const sleepMs = typeof payload.sleepMs === 'number' ? payload.sleepMs : 0;
  const steps = Math.max(1, Math.ceil(sleepMs / 100));
  for (let i = 0; i < steps && sleepMs > 0; i++) {
    if (signal.aborted) throw new Error('cancelled');
    await new Promise((r) => setTimeout(r, sleepMs / steps));
    await progress({ step: i + 1, steps });
  }
  if (typeof payload.fail === 'string') {
    if (payload.fail === 'crash') process.exit(70);
    throw payload.fail === 'permanent' ? new PermanentTaskError('asked to fail permanently') : new Error(payload.fail);
  }
  return { pid: process.pid };
};

/** The runner-side handlers by task type (ML handlers join as their issues land). */
export function runnerHandlers(): Map<string, RunnerHandler> {
  return new Map<string, RunnerHandler>([
    [TaskType.NOOP, noop],
    [TaskType.TRAIN_CANDIDATE, trainCandidate],
    [TaskType.SPLIT_MODEL, splitModelTask],
    [TaskType.TRAIN_HEAD, trainHeadTask],
  ]);
}
