import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Percept's Prometheus metrics, defined here below every domain. Events this process sees are
 * counted as they happen (tasks/task-metrics.ts, graphql/classify-timing.ts); the state every
 * server shares (tasks, runners) is read from PostgreSQL at each scrape (app/metrics.route.ts), so
 * any server answers for the whole install.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'percept_' });

const SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14_400];

export const taskQueueWait = new Histogram({
  name: 'percept_task_queue_wait_seconds',
  help: 'Time a task waited in the queue (since queued, or since its retry was due) until claimed.',
  labelNames: ['type'],
  buckets: SECONDS,
  registers: [registry],
});
export const taskRunTime = new Histogram({
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
export const trainingImagesPerSecond = new Gauge({
  name: 'percept_training_images_per_second',
  help: 'Training speed of the last candidate round to finish: mean images per second over its epochs.',
  registers: [registry],
});
export const imagesImported = new Counter({
  name: 'percept_images_imported_total',
  help: 'Images imported into datasets (rate() of it is the import rate).',
  registers: [registry],
});
export const taskCount = new Gauge({
  name: 'percept_tasks',
  help: 'Tasks by type and status.',
  labelNames: ['type', 'status'],
  registers: [registry],
});
export const runnerCount = new Gauge({
  name: 'percept_runners',
  help: 'Runners by kind and state.',
  labelNames: ['kind', 'status'],
  registers: [registry],
});
