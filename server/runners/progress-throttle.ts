import type { Claim } from '../tasks/task-queue';

/**
 * Progress arrives per batch; PostgreSQL and subscribers need it a few times a second at most.
 * Keeps the latest report per task and writes it at most once per interval.
 */
export class ProgressThrottle {
  private readonly pending = new Map<
    string,
    { claim: Claim; progress: Record<string, unknown>; timer: NodeJS.Timeout | null }
  >();
  private readonly lastWrite = new Map<string, number>();
  /**
   * The write in flight per task. Writes of one task run one after another: two on separate pool
   * connections could land out of order, and a late "step 27" then overwrote the final "step 30"
   * of a finished task (seen under load in the admin browser test).
   */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(
    private readonly intervalMs: number,
    private readonly write: (claim: Claim, progress: Record<string, unknown>) => Promise<void>,
  ) {}

  push(claim: Claim, progress: Record<string, unknown>): void {
    const entry = this.pending.get(claim.taskId);
    if (entry) {
      entry.claim = claim;
      entry.progress = progress;
      return;
    }
    const wait = Math.max(0, (this.lastWrite.get(claim.taskId) ?? 0) + this.intervalMs - Date.now());
    const next = { claim, progress, timer: null as NodeJS.Timeout | null };
    this.pending.set(claim.taskId, next);
    next.timer = setTimeout(() => void this.flush(claim.taskId), wait);
  }

  /**
   * Writes what is pending now, after any write still in flight (before a task's result, so the
   * last progress is written last and not lost).
   */
  async flush(taskId: string): Promise<void> {
    const entry = this.pending.get(taskId);
    const before = this.writing.get(taskId) ?? Promise.resolve();
    if (!entry) return before;
    if (entry.timer) clearTimeout(entry.timer);
    this.pending.delete(taskId);
    this.lastWrite.set(taskId, Date.now());
    const done = before.then(() => this.write(entry.claim, entry.progress));
    const settled = done.catch(() => {});
    this.writing.set(taskId, settled);
    void settled.then(() => {
      if (this.writing.get(taskId) === settled) this.writing.delete(taskId);
    });
    return done;
  }

  drop(taskId: string): void {
    const entry = this.pending.get(taskId);
    if (entry?.timer) clearTimeout(entry.timer);
    this.pending.delete(taskId);
    this.lastWrite.delete(taskId);
  }
}
