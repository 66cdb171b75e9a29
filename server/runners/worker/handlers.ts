import type { TaskPayloads, TaskResults } from '../../tasks/task-contract';
import type { TaskType } from '../../tasks/task-type';
import type { RunnerData, RunnerDatasets } from '../data/runner-data';

export interface RunnerTaskContext<T extends TaskType> {
  payload: TaskPayloads[T];
  signal: AbortSignal;
  progress(progress: Record<string, unknown>): Promise<void>;
  data: RunnerData;
  datasets: RunnerDatasets;
}

/** Runs one attempt of a runner-placed task of type T; its payload and result are the contract's. */
export type RunnerHandler<T extends TaskType> = (ctx: RunnerTaskContext<T>) => Promise<TaskResults[T]>;

/** A handler with the type it serves, as the worker looks it up (see registry.ts). */
export interface RegisteredHandler<T extends TaskType = TaskType> {
  type: T;
  run(ctx: RunnerTaskContext<T>): Promise<TaskResults[T]>;
}
