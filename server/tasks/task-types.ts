import type { Logger } from '../logging/logger';
import type { TaskPayloads, TaskResults } from './task-contract';
import type { Task } from './task.entity';
import { TaskType } from './task-type';

/** Where a type runs: in a server process (I/O and database work) or on a runner (ML work). */
export const TASK_PLACEMENT: Record<TaskType, 'server' | 'runner'> = {
  [TaskType.IMPORT_DATASET]: 'server',
  [TaskType.TRAIN_MODEL]: 'server',
  [TaskType.TRAIN_CANDIDATE]: 'runner',
  [TaskType.SPLIT_MODEL]: 'runner',
  [TaskType.EXPAND_MODEL]: 'server',
  [TaskType.TRAIN_HEAD]: 'runner',
  // It reads the archive on the node that holds it; the predictions run on the warm runners.
  [TaskType.CLASSIFY_BATCH]: 'server',
  [TaskType.NOOP]: 'runner',
};

export interface TaskContext<T extends TaskType> {
  /** The row, reloaded when the attempt starts. */
  task: Task<T>;
  payload: TaskPayloads[T];
  /** Aborted when the task is cancelled or this holder loses its lease: stop promptly. */
  signal: AbortSignal;
  /** Stores progress on the row and pushes it to subscribers (throttled by the queue). */
  progress(progress: Record<string, unknown>): Promise<void>;
  log: Logger;
}

/**
 * One handler per task type (startup fails on a missing or duplicate one). A handler must be safe
 * to run twice: a retried attempt starts over from what PostgreSQL says is done. Throwing fails
 * the attempt with the error's message; `PermanentTaskError` fails the task without a retry.
 */
export interface TaskHandler<T extends TaskType = TaskType> {
  type: T;
  run(ctx: TaskContext<T>): Promise<TaskResults[T]>;
}

/** A failure that retrying cannot fix (bad input, a deleted model). */
export class PermanentTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentTaskError';
  }
}
