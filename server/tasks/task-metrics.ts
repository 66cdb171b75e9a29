import { imagesImported, taskQueueWait, taskRunTime, trainingImagesPerSecond } from '../metrics/metrics';
import { TaskStatus } from './task.entity';
import { TaskType } from './task-type';

/** A task was claimed `waitSeconds` after it was queued or its retry became due (the database's clock). */
export function taskClaimed(type: TaskType, waitSeconds: number): void {
  taskQueueWait.observe({ type }, Math.max(0, waitSeconds));
}

/** A task ended for good (SUCCEEDED, FAILED or CANCELLED). */
export function taskEnded(type: TaskType, status: TaskStatus, seconds: number | null, result?: unknown): void {
  if (seconds !== null) taskRunTime.observe({ type, status }, Math.max(0, seconds));
  if (status !== TaskStatus.SUCCEEDED || typeof result !== 'object' || result === null) return;
  const r = result as { imported?: unknown; history?: { imagesPerSecond?: unknown }[] };
  if (type === TaskType.IMPORT_DATASET && typeof r.imported === 'number') imagesImported.inc(r.imported);
  if (type === TaskType.TRAIN_CANDIDATE && Array.isArray(r.history)) {
    const rates = r.history.map((e) => e.imagesPerSecond).filter((v): v is number => typeof v === 'number');
    if (rates.length) trainingImagesPerSecond.set(rates.reduce((a, b) => a + b, 0) / rates.length);
  }
}
