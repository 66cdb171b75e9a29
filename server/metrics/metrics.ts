import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';
import { RunnerKind, RunnerStatus } from '../runners/runner.entity';
import { TaskStatus } from '../tasks/task.entity';
import { TaskType } from '../tasks/task-type';

/**
 * Percept's Prometheus metrics. Events this process sees (claims, task ends, classify calls) are
 * counted as they happen; the state every server shares (tasks, runners) is read from PostgreSQL
 * at each scrape, so any server answers for the whole install.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'percept_' });

const SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14_400];

const queueWait = new Histogram({
  name: 'percept_task_queue_wait_seconds',
  help: 'Time a task waited in the queue (since queued, or since its retry was due) until claimed.',
  labelNames: ['type'],
  buckets: SECONDS,
  registers: [registry],
});
const runTime = new Histogram({
  name: 'percept_task_run_seconds',
  help: 'Time from a task first starting to its end, retries included.',
  labelNames: ['type', 'status'],
  buckets: SECONDS,
  registers: [registry],
});
export const classifySeconds = new Histogram({
  name: 'percept_classify_seconds',
  help: 'GraphQL classify and classifyBatch requests, from arrival to response.',
  labelNames: ['operation', 'outcome'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});
const trainingRate = new Gauge({
  name: 'percept_training_images_per_second',
  help: 'Training speed of the last candidate round to finish: mean images per second over its epochs.',
  registers: [registry],
});
const imported = new Counter({
  name: 'percept_images_imported_total',
  help: 'Images imported into datasets (rate() of it is the import rate).',
  registers: [registry],
});
const tasks = new Gauge({
  name: 'percept_tasks',
  help: 'Tasks by type and status.',
  labelNames: ['type', 'status'],
  registers: [registry],
});
const runners = new Gauge({
  name: 'percept_runners',
  help: 'Runners by kind and state.',
  labelNames: ['kind', 'status'],
  registers: [registry],
});

/** A task was claimed `waitSeconds` after it was queued or its retry became due (the database's clock). */
export function taskClaimed(type: TaskType, waitSeconds: number): void {
  queueWait.observe({ type }, Math.max(0, waitSeconds));
}

/** A task ended for good (SUCCEEDED, FAILED or CANCELLED). */
export function taskEnded(type: TaskType, status: TaskStatus, seconds: number | null, result?: unknown): void {
  if (seconds !== null) runTime.observe({ type, status }, Math.max(0, seconds));
  if (status !== TaskStatus.SUCCEEDED || typeof result !== 'object' || result === null) return;
  const r = result as { imported?: unknown; history?: { imagesPerSecond?: unknown }[] };
  if (type === TaskType.IMPORT_DATASET && typeof r.imported === 'number') imported.inc(r.imported);
  if (type === TaskType.TRAIN_CANDIDATE && Array.isArray(r.history)) {
    const rates = r.history.map((e) => e.imagesPerSecond).filter((v): v is number => typeof v === 'number');
    if (rates.length) trainingRate.set(rates.reduce((a, b) => a + b, 0) / rates.length);
  }
}

/** The exposition text, with the shared state read from `db` now. */
export async function metricsText(db: DataSource): Promise<string> {
  const [taskRows, runnerRows] = await Promise.all([
    db.query(`SELECT type, status, count(*)::int AS n FROM tasks GROUP BY type, status`) as Promise<
      { type: string; status: string; n: number }[]
    >,
    db.query(`SELECT kind, status, count(*)::int AS n FROM runners GROUP BY kind, status`) as Promise<
      { kind: string; status: string; n: number }[]
    >,
  ]);
  // Every combination, zeros included, so alerts and rate() see a series from the start.
  for (const type of Object.values(TaskType))
    for (const status of Object.values(TaskStatus)) tasks.set({ type, status }, 0);
  for (const r of taskRows) tasks.set({ type: r.type, status: r.status }, r.n);
  for (const kind of Object.values(RunnerKind))
    for (const status of Object.values(RunnerStatus)) runners.set({ kind, status }, 0);
  for (const r of runnerRows) runners.set({ kind: r.kind, status: r.status }, r.n);
  return registry.metrics();
}
