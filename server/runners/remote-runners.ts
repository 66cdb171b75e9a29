import type { DataSource } from 'typeorm';
import type { PerceptPubSub } from '../events/pubsub';
import { In, LessThan } from 'typeorm';
import { ForbiddenError, NotFoundError } from '../errors';
import { LeaseLostError, type Claim, type TaskQueue } from '../tasks/task-queue';
import { UNAVAILABLE_TASK_TYPES } from '../tasks/task-registry';
import { TASK_PLACEMENT } from '../tasks/task-types';
import { Task, TaskStatus, TaskType } from '../tasks/task.entity';
import { isUuid } from '../db/ids';
import { toAssignment, type Assignment } from './protocol';
import { Runner, RunnerKind, RunnerStatus } from './runner.entity';

const RUNNER_TYPES = Object.values(TaskType).filter(
  (t) => TASK_PLACEMENT[t] === 'runner' && !UNAVAILABLE_TASK_TYPES.has(t),
);

export interface RemoteReport {
  runnerId: string;
  taskId: string;
  attempt: number;
}

/**
 * The server side of remote runners: they register with a runner token, heartbeat, claim work and
 * report on it. A runner that stops heartbeating is marked FAILED and gets nothing until it
 * reports in again; its task's lease lapses and the task goes back to the queue.
 */
export class RemoteRunners {
  constructor(
    private readonly db: DataSource,
    private readonly queue: TaskQueue,
    private readonly nodeId: string,
    /** Silence longer than this marks a remote runner FAILED. */
    private readonly silenceMs: number,
    private readonly pubsub: PerceptPubSub,
  ) {}

  private changed(runnerId: string): void {
    this.pubsub.publish('RUNNER_CHANGED', runnerId);
  }

  async register(tokenId: string, name: string, backend: string, device: string): Promise<Runner> {
    const repo = this.db.getRepository(Runner);
    const runner =
      (await repo.findOneBy({ tokenId, name, kind: RunnerKind.REMOTE })) ??
      repo.create({ tokenId, name, kind: RunnerKind.REMOTE });
    Object.assign(runner, {
      backend,
      device,
      status: RunnerStatus.IDLE,
      lastHeartbeatAt: new Date(),
      currentTaskId: null,
    });
    const saved = await repo.save(runner);
    this.changed(saved.id);
    return saved;
  }

  /** Renews the runner and its task's lease; returns the task ids the runner must stop. */
  async heartbeat(
    tokenId: string,
    runnerId: string,
    current: { taskId: string; attempt: number } | null,
  ): Promise<string[]> {
    const runner = await this.own(tokenId, runnerId);
    const wasFailed = runner.status === RunnerStatus.FAILED;
    let stop: string[] = [];
    let status = current ? RunnerStatus.BUSY : RunnerStatus.IDLE;
    if (current) {
      try {
        const { cancelRequested } = await this.queue.heartbeat(this.claim(runnerId, current));
        if (cancelRequested) stop = [current.taskId];
      } catch (e) {
        if (!(e instanceof LeaseLostError)) throw e;
        stop = [current.taskId];
        status = RunnerStatus.IDLE;
      }
    }
    await this.db
      .getRepository(Runner)
      .update(
        { id: runnerId },
        { lastHeartbeatAt: new Date(), status, currentTaskId: stop.length ? null : (current?.taskId ?? null) },
      );
    if (wasFailed || runner.status !== status) this.changed(runnerId);
    return stop;
  }

  async claimWork(tokenId: string, runnerId: string): Promise<Assignment | null> {
    const runner = await this.own(tokenId, runnerId);
    if (runner.disabled || runner.status === RunnerStatus.FAILED || runner.status === RunnerStatus.OFFLINE) return null;
    const task = await this.queue.claim(this.holder(runnerId), RUNNER_TYPES, { nodeId: this.nodeId, runnerId });
    if (!task) return null;
    await this.db
      .getRepository(Runner)
      .update({ id: runnerId }, { status: RunnerStatus.BUSY, currentTaskId: task.id, lastHeartbeatAt: new Date() });
    this.changed(runnerId);
    return toAssignment(task);
  }

  async progress(tokenId: string, r: RemoteReport, progress: Record<string, unknown>): Promise<boolean> {
    await this.own(tokenId, r.runnerId);
    const { cancelRequested } = await this.fenced(() => this.queue.progress(this.claim(r.runnerId, r), progress));
    return cancelRequested;
  }

  async finish(
    tokenId: string,
    r: RemoteReport,
    outcome: { result: Record<string, unknown> } | { error: string; permanent: boolean },
  ): Promise<boolean> {
    await this.own(tokenId, r.runnerId);
    const claim = this.claim(r.runnerId, r);
    await this.fenced<unknown>(() =>
      'result' in outcome
        ? this.queue.complete(claim, outcome.result)
        : this.queue.fail(claim, outcome.error, outcome.permanent),
    );
    await this.db
      .getRepository(Runner)
      .update({ id: r.runnerId }, { status: RunnerStatus.IDLE, currentTaskId: null, lastHeartbeatAt: new Date() });
    this.changed(r.runnerId);
    return true;
  }

  /**
   * The task this runner token holds `attempt` of, through one of its runners, with a live lease;
   * null otherwise (not its task, an older attempt, a lapsed lease, or finished).
   */
  async heldTask(tokenId: string, taskId: string, attempt: number): Promise<Task | null> {
    if (!isUuid(taskId) || !Number.isInteger(attempt)) return null;
    const task = await this.db
      .getRepository(Task)
      .findOneBy({ id: taskId, attempts: attempt, status: TaskStatus.RUNNING });
    if (!task?.lockedBy?.startsWith('remote/') || !task.leaseExpiresAt || task.leaseExpiresAt.getTime() <= Date.now())
      return null;
    const runner = await this.db
      .getRepository(Runner)
      .findOneBy({ id: task.lockedBy.slice('remote/'.length), kind: RunnerKind.REMOTE, tokenId });
    return runner && this.holder(runner.id) === task.lockedBy ? task : null;
  }

  wakeups(): AsyncIterable<string> {
    return this.pubsub.subscribe('TASK_CHANGED');
  }

  /** Called on each orchestrator tick. */
  async markSilentRunnersFailed(): Promise<void> {
    const repo = this.db.getRepository(Runner);
    const silent = await repo.find({
      where: {
        kind: RunnerKind.REMOTE,
        status: In([RunnerStatus.IDLE, RunnerStatus.BUSY, RunnerStatus.STARTING]),
        lastHeartbeatAt: LessThan(new Date(Date.now() - this.silenceMs)),
      },
    });
    for (const r of silent) {
      await repo.update({ id: r.id, status: r.status }, { status: RunnerStatus.FAILED, currentTaskId: null });
      this.changed(r.id);
    }
  }

  private async own(tokenId: string, runnerId: string): Promise<Runner> {
    const runner = await this.db.getRepository(Runner).findOneBy({ id: runnerId, kind: RunnerKind.REMOTE });
    if (!runner) throw new NotFoundError('No such runner; register first.');
    if (runner.tokenId !== tokenId) throw new ForbiddenError('This runner belongs to another runner token.');
    return runner;
  }

  private holder(runnerId: string): string {
    return `remote/${runnerId}`;
  }

  private claim(runnerId: string, r: { taskId: string; attempt: number }): Claim {
    return { taskId: r.taskId, attempt: r.attempt, holder: this.holder(runnerId) };
  }

  private async fenced<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof LeaseLostError)
        throw new ForbiddenError('This runner does not hold that task (any more).', { reason: 'LEASE_LOST' });
      throw e;
    }
  }
}
