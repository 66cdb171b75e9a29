import type { DataSource, EntityManager } from 'typeorm';
import { likePrefix } from '../db/sql';
import { currentRequestId } from '../logging/request-context';
import { taskClaimed, taskEnded } from './task-metrics';
import { Task, TaskStatus, TaskType } from './task.entity';
import type { TaskPayloads } from './task-contract';

export interface EnqueueInput<T extends TaskType> {
  type: T;
  payload: TaskPayloads[T];
  ownerId: string | null;
  modelId: string | null;
  priority?: number;
  maxAttempts?: number;
}

/** A holder's claim on one attempt of a task. Writes that do not match it are refused (fencing). */
export interface Claim {
  taskId: string;
  attempt: number;
  holder: string;
}

/** Raised when a holder's claim was taken over (lease lapsed, requeued or cancelled by an admin). */
export class LeaseLostError extends Error {
  constructor(claim: Claim) {
    super(`task ${claim.taskId} attempt ${claim.attempt} is no longer held by ${claim.holder}`);
    this.name = 'LeaseLostError';
  }
}

/** Wakes every orchestrator sharing the database, so a queued task starts without waiting a tick. */
export const TASKS_CHANNEL = 'percept_tasks';

const MAX_BACKOFF_MS = 60_000;
/** For /metrics: from the first start to now, the end being written. */
const RUN_SECONDS = `extract(epoch FROM now() - "startedAt")::float8 AS seconds`;
const FENCE = `id = $1 AND attempts = $2 AND "lockedBy" = $3 AND status = 'RUNNING'`;

/**
 * The task queue in PostgreSQL, claimed as graphile-worker does: `FOR UPDATE SKIP LOCKED` in
 * priority then age order, a lock owner and a lease that the holder renews, attempts, the last
 * error, and exponential backoff between attempts.
 */
export class TaskQueue {
  constructor(
    private readonly db: DataSource,
    private readonly defaultMaxAttempts: number,
    private readonly leaseMs: number,
    private readonly onChange: (taskId: string) => void = () => {},
  ) {}

  /** Enqueue inside the caller's transaction when the task must exist only if its writes commit. */
  async enqueue<T extends TaskType>(input: EnqueueInput<T>, tx: EntityManager = this.db.manager): Promise<Task> {
    const task = await tx.save(
      tx.create(Task, {
        type: input.type,
        payload: input.payload,
        ownerId: input.ownerId,
        modelId: input.modelId,
        priority: input.priority ?? 0,
        maxAttempts: input.maxAttempts ?? this.defaultMaxAttempts,
        status: TaskStatus.QUEUED,
        requestId: currentRequestId(),
      }),
    );
    // NOTIFY is delivered on commit, so listeners never see a task that does not exist yet.
    await tx.query('SELECT pg_notify($1, $2)', [TASKS_CHANNEL, task.id]);
    this.onChange(task.id);
    return task;
  }

  /**
   * Claims the most urgent queued task of the given types, or returns null. Server-placed tasks
   * that name a node (their file is on its disk) are claimed only by that node.
   */
  async claim(
    holder: string,
    types: TaskType[],
    opts: { nodeId: string; runnerId?: string | null },
  ): Promise<Task | null> {
    if (types.length === 0) return null;
    const rows: Task[] = await this.db
      .query(
        `UPDATE tasks SET status = 'RUNNING', attempts = attempts + 1, "lockedBy" = $1,
         "leaseExpiresAt" = now() + make_interval(secs => $2::double precision / 1000),
         "startedAt" = COALESCE("startedAt", now()), "runnerId" = $3, "updatedAt" = now()
       WHERE id = (
         SELECT id FROM tasks
         WHERE status = 'QUEUED' AND "runAt" <= now() AND type = ANY($4::task_type[])
           AND (payload->>'nodeId' IS NULL OR payload->>'nodeId' = $5)
         ORDER BY priority DESC, "createdAt" ASC
         FOR UPDATE SKIP LOCKED
         LIMIT 1)
       RETURNING *, extract(epoch FROM now() - "runAt")::float8 AS "waitSeconds"`,
        [holder, this.leaseMs, opts.runnerId ?? null, types, opts.nodeId],
      )
      .then((r: [Task[], number] | Task[]) => (Array.isArray(r[0]) ? (r[0] as Task[]) : (r as Task[])));
    const task = rows[0];
    if (!task) return null;
    taskClaimed(task.type, (task as Task & { waitSeconds: number }).waitSeconds);
    this.onChange(task.id);
    return this.db.getRepository(Task).create(task);
  }

  /** Renews the lease; returns whether cancellation was asked. Throws LeaseLostError when fenced. */
  async heartbeat(claim: Claim): Promise<{ cancelRequested: boolean }> {
    const rows = await this.fenced(
      `UPDATE tasks SET "leaseExpiresAt" = now() + make_interval(secs => $4::double precision / 1000)
       WHERE ${FENCE} RETURNING "cancelRequested"`,
      claim,
      [this.leaseMs],
    );
    return { cancelRequested: Boolean(rows[0]?.cancelRequested) };
  }

  /**
   * Renews, in one statement, the leases of the claims this process still holds (local runners'
   * heartbeat). Only those: a claim this process let go of — say its result could not be written
   * while PostgreSQL was away — must lapse, so that recovery requeues the task.
   */
  async renewHeld(claims: Claim[]): Promise<number> {
    if (!claims.length) return 0;
    const [, n]: [unknown, number] = await this.db.query(
      `UPDATE tasks t SET "leaseExpiresAt" = now() + make_interval(secs => $4::double precision / 1000)
       FROM unnest($1::uuid[], $2::int[], $3::text[]) AS held(id, attempt, holder)
       WHERE t.id = held.id AND t.attempts = held.attempt AND t."lockedBy" = held.holder AND t.status = 'RUNNING'`,
      [claims.map((c) => c.taskId), claims.map((c) => c.attempt), claims.map((c) => c.holder), this.leaseMs],
    );
    return n;
  }

  async progress(claim: Claim, progress: Record<string, unknown>): Promise<{ cancelRequested: boolean }> {
    const rows = await this.fenced(
      `UPDATE tasks SET progress = $4, "updatedAt" = now(),
         "leaseExpiresAt" = now() + make_interval(secs => $5::double precision / 1000)
       WHERE ${FENCE} RETURNING "cancelRequested"`,
      claim,
      [progress, this.leaseMs],
    );
    this.onChange(claim.taskId);
    return { cancelRequested: Boolean(rows[0]?.cancelRequested) };
  }

  /** `result` is what the task type's handler returned (task-contract.ts); remote runners send it as JSON. */
  async complete(claim: Claim, result: object): Promise<void> {
    const [row] = await this.fenced(
      `UPDATE tasks SET status = 'SUCCEEDED', result = $4, error = NULL, "finishedAt" = now(), "updatedAt" = now(),
         "lockedBy" = NULL, "leaseExpiresAt" = NULL
       WHERE ${FENCE} RETURNING type, ${RUN_SECONDS}`,
      claim,
      [result],
    );
    taskEnded(row!.type as TaskType, TaskStatus.SUCCEEDED, row!.seconds as number | null, result);
    this.onChange(claim.taskId);
  }

  /**
   * Ends an attempt that threw. A cancelled task ends CANCELLED; a permanent error or the last
   * attempt ends FAILED; otherwise it is queued again after a backoff of 2^attempt seconds.
   */
  async fail(claim: Claim, error: string, permanent = false): Promise<TaskStatus> {
    const rows = await this.fenced(
      `UPDATE tasks SET
         status = (CASE WHEN "cancelRequested" THEN 'CANCELLED'
                        WHEN $5 OR attempts >= "maxAttempts" THEN 'FAILED'
                        ELSE 'QUEUED' END)::task_status,
         error = $4,
         "runAt" = now() + make_interval(secs => LEAST(power(2, attempts), $6::double precision / 1000)),
         "finishedAt" = CASE WHEN "cancelRequested" OR $5 OR attempts >= "maxAttempts" THEN now() ELSE NULL END,
         "lockedBy" = NULL, "leaseExpiresAt" = NULL, "runnerId" = NULL, "updatedAt" = now()
       WHERE ${FENCE} RETURNING status, type, ${RUN_SECONDS}`,
      claim,
      [error.slice(0, 10_000), permanent, MAX_BACKOFF_MS],
    );
    const status = rows[0]!.status as TaskStatus;
    if (status !== TaskStatus.QUEUED) taskEnded(rows[0]!.type as TaskType, status, rows[0]!.seconds as number | null);
    this.onChange(claim.taskId);
    return status;
  }

  /**
   * A queued task is cancelled at once; a running one is asked to stop (its holder ends it
   * CANCELLED). Returns false when the task was neither queued nor running.
   */
  async cancel(id: string): Promise<boolean> {
    return this.transition(
      id,
      `UPDATE tasks SET
         status = (CASE WHEN status = 'QUEUED' THEN 'CANCELLED' ELSE status END)::task_status,
         "cancelRequested" = true,
         "finishedAt" = CASE WHEN status = 'QUEUED' THEN now() ELSE "finishedAt" END, "updatedAt" = now()
       WHERE id = $1 AND status IN ('QUEUED', 'RUNNING') RETURNING id`,
    );
  }

  /**
   * Back to the queue: a running task is requeued (its holder is fenced off, the attempt counts), a
   * failed or cancelled one retried with fresh attempts. Returns false from any other status.
   */
  async requeue(id: string): Promise<boolean> {
    return this.transition(
      id,
      `UPDATE tasks SET
         attempts = CASE WHEN status = 'RUNNING' THEN attempts ELSE 0 END,
         status = 'QUEUED', "cancelRequested" = false, "runAt" = now(), "finishedAt" = NULL,
         "lockedBy" = NULL, "leaseExpiresAt" = NULL, "runnerId" = NULL, "updatedAt" = now()
       WHERE id = $1 AND status IN ('RUNNING', 'FAILED', 'CANCELLED') RETURNING id`,
    );
  }

  /** At shutdown, after the runners stopped: gives back what `nodeId` still holds, without counting an attempt. */
  async releaseHeldBy(nodeId: string): Promise<void> {
    await this.db.query(
      `UPDATE tasks SET status = 'QUEUED', attempts = GREATEST(attempts - 1, 0), "lockedBy" = NULL,
         "leaseExpiresAt" = NULL, "runnerId" = NULL, error = 'interrupted by a server shutdown; requeued', "updatedAt" = now()
       WHERE status = 'RUNNING' AND "lockedBy" LIKE $1`,
      [likePrefix(`${nodeId}/`)],
    );
  }

  private async transition(id: string, sql: string): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.db.query(sql, [id]);
    if (!rows.length) return false;
    await this.db.query('SELECT pg_notify($1, $2)', [TASKS_CHANNEL, id]);
    this.onChange(id);
    return true;
  }

  private async fenced(sql: string, claim: Claim, extra: unknown[]): Promise<Record<string, unknown>[]> {
    const result: [Record<string, unknown>[], number] = await this.db.query(sql, [
      claim.taskId,
      claim.attempt,
      claim.holder,
      ...extra,
    ]);
    const rows = result[0];
    if (!rows.length) throw new LeaseLostError(claim);
    return rows;
  }
}

export function claimOf(task: Pick<Task, 'id' | 'attempts' | 'lockedBy'>): Claim {
  if (!task.lockedBy) throw new Error(`task ${task.id} is not claimed`);
  return { taskId: task.id, attempt: task.attempts, holder: task.lockedBy };
}
