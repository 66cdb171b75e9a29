import type { Logger } from '../logging/logger';
import type { Task } from './task.entity';
import { TaskType } from './task.entity';

/** The payload each task type carries. */
export interface TaskPayloads {
  [TaskType.IMPORT_DATASET]: {
    modelId: string;
    /** Where the uploaded archive or manifest waits, on the node that received it. */
    uploadPath: string;
    /** Server-side tasks with a file on local disk run only on the node that holds it. */
    nodeId: string;
    filename: string;
    kind: 'zip' | 'manifest';
  };
  [TaskType.TRAIN_MODEL]: { modelId: string; candidates: number; maxEpochs: number; maxMinutes: number | null };
  [TaskType.SPLIT_MODEL]: { modelId: string; candidateId: string };
  [TaskType.TRAIN_HEAD]: { modelId: string; headId: string };
  [TaskType.CLASSIFY_BATCH]: { modelId: string; imageKeys: string[] };
  [TaskType.NOOP]: { sleepMs?: number; fail?: string };
}

/** Where a type runs: in a server process (I/O and database work) or on a runner (ML work). */
export const TASK_PLACEMENT: Record<TaskType, 'server' | 'runner'> = {
  [TaskType.IMPORT_DATASET]: 'server',
  [TaskType.TRAIN_MODEL]: 'runner',
  [TaskType.SPLIT_MODEL]: 'runner',
  [TaskType.TRAIN_HEAD]: 'runner',
  [TaskType.CLASSIFY_BATCH]: 'runner',
  [TaskType.NOOP]: 'runner',
};

export interface TaskContext<T extends TaskType> {
  /** The row, reloaded when the attempt starts. */
  task: Task;
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
  run(ctx: TaskContext<T>): Promise<Record<string, unknown>>;
}

/** A failure that retrying cannot fix (bad input, a deleted model). */
export class PermanentTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentTaskError';
  }
}
