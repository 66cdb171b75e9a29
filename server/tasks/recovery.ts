import type { DataSource } from 'typeorm';
import { likePrefix } from '../db/sql';
import type { Logger } from '../logging/logger';

export interface RecoveryReport {
  requeued: string[];
  failed: string[];
}

/**
 * Pre-startup check: a task left RUNNING by a dead process is never silently lost. Tasks held by
 * this node's previous life, or whose lease has lapsed, go back to the queue — or fail when they
 * have used up their attempts — with the reason recorded in `error`.
 */
export async function recoverInterruptedTasks(
  db: DataSource,
  nodeId: string | null,
  log: Logger,
): Promise<RecoveryReport> {
  // At startup (nodeId given) this node's own holds are dead for sure; on a tick only lapsed leases are.
  const ours = nodeId === null ? null : likePrefix(`${nodeId}/`);
  const rows: { id: string; status: string }[] = await db.query(
    `UPDATE tasks SET
       status = (CASE WHEN attempts >= "maxAttempts" THEN 'FAILED' ELSE 'QUEUED' END)::task_status,
       error = CASE WHEN attempts >= "maxAttempts"
         THEN 'interrupted: its runner or server stopped (or stopped renewing its lease) while it ran, and it has no attempts left'
         ELSE 'interrupted: its runner or server stopped (or stopped renewing its lease) while it ran; requeued' END,
       "finishedAt" = CASE WHEN attempts >= "maxAttempts" THEN now() ELSE NULL END,
       "lockedBy" = NULL, "leaseExpiresAt" = NULL, "runnerId" = NULL, "updatedAt" = now()
     WHERE status = 'RUNNING'
       AND ("lockedBy" IS NULL OR "lockedBy" LIKE $1 OR "leaseExpiresAt" IS NULL OR "leaseExpiresAt" < now())
     RETURNING id, status`,
    [ours],
  );
  // TypeORM returns [rows, count] for UPDATE … RETURNING on postgres.
  const updated = (Array.isArray(rows[0]) ? rows[0] : rows) as { id: string; status: string }[];
  const report = {
    requeued: updated.filter((r) => r.status === 'QUEUED').map((r) => r.id),
    failed: updated.filter((r) => r.status === 'FAILED').map((r) => r.id),
  };
  if (updated.length) log.warn(report, 'recovered tasks interrupted by a previous stop');
  return report;
}
