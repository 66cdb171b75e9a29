import type { DatasetCache, RunnerData } from '../data/runner-data';

export interface RunnerTaskContext {
  payload: Record<string, unknown>;
  signal: AbortSignal;
  progress(progress: Record<string, unknown>): Promise<void>;
  data: RunnerData;
  datasets: DatasetCache;
}

export type RunnerHandler = (ctx: RunnerTaskContext) => Promise<Record<string, unknown>>;
