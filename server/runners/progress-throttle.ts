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

  /** Writes what is pending now (before a task's result, so the last progress is not lost). */
  async flush(taskId: string): Promise<void> {
    const entry = this.pending.get(taskId);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    this.pending.delete(taskId);
    this.lastWrite.set(taskId, Date.now());
    await this.write(entry.claim, entry.progress);
  }

  drop(taskId: string): void {
    const entry = this.pending.get(taskId);
    if (entry?.timer) clearTimeout(entry.timer);
    this.pending.delete(taskId);
    this.lastWrite.delete(taskId);
  }
}
