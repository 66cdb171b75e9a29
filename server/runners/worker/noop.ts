import { PermanentTaskError } from '../../tasks/task-types';
import type { TaskType } from '../../tasks/task-type';
import type { RunnerHandler } from './handlers';

/** Sleeps, reporting progress; fails on request. Used to measure and test the queue itself. */
export const noop: RunnerHandler<TaskType.NOOP> = async ({ payload, signal, progress }) => {
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
