import { listen, type Listener } from '../db/listener';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logging/logger';
import type { PerceptPubSub } from '../events/pubsub';
import { recoverInterruptedTasks } from '../tasks/recovery';
import { Task, TaskType } from '../tasks/task.entity';
import { TaskRepository } from '../tasks/task.repository';
import { LeaseLostError, TASKS_CHANNEL, TaskQueue, type Claim } from '../tasks/task-queue';
import { UNAVAILABLE_TASK_TYPES } from '../tasks/task-registry';
import { PermanentTaskError, TASK_PLACEMENT, type TaskHandler } from '../tasks/task-types';
import type { LocalPool, LocalRunner } from './local-pool';
import { toAssignment, type Assignment, type FromWorker } from './protocol';
import type { RemoteRunners } from './remote-runners';
import { ProgressThrottle } from './progress-throttle';
import { RunnerRepository } from './runner.repository';
import { withRequestId } from '../logging/request-context';

/** How long the end of a task is retried while PostgreSQL is unreachable. */
const RECORD_RETRY_MS = 120_000;

export interface OrchestratorOptions {
  nodeId: string;
  tickMs: number;
  /** Server-placed tasks (imports) run in this process, this many at a time. */
  serverConcurrency: number;
}

/**
 * One loop per server process (the seed's controller): woken by its timer, by runner events and at
 * once by NOTIFY when any server queues a task. It hands queued tasks to idle local runners and
 * runs server-placed tasks itself; remote runners claim through the API.
 */
export class Orchestrator {
  private readonly runnerTypes: TaskType[];
  private readonly serverTypes: TaskType[];
  private readonly serverRunning = new Map<string, { claim: Claim; abort: AbortController }>();
  private readonly throttle: ProgressThrottle;
  /** Claims whose end is being written (retried while PostgreSQL is away). */
  private readonly recording = new Map<string, Claim>();
  private listener: Listener | null = null;
  private timer: NodeJS.Timeout | null = null;
  private passing = false;
  private again = false;
  private stopped = false;
  private subscription: AsyncIterator<string> | null = null;

  private readonly tasks: TaskRepository;
  private readonly runners: RunnerRepository;

  constructor(
    private readonly db: DataSource,
    private readonly databaseUrl: string,
    private readonly queue: TaskQueue,
    private readonly pool: LocalPool | null,
    private readonly remotes: RemoteRunners,
    private readonly serverHandlers: Map<TaskType, TaskHandler>,
    private readonly pubsub: PerceptPubSub,
    private readonly opts: OrchestratorOptions,
    private readonly log: Logger,
  ) {
    this.tasks = new TaskRepository(db);
    this.runners = new RunnerRepository(db);
    const available = Object.values(TaskType).filter((t) => !UNAVAILABLE_TASK_TYPES.has(t));
    this.runnerTypes = available.filter((t) => TASK_PLACEMENT[t] === 'runner');
    this.serverTypes = available.filter((t) => TASK_PLACEMENT[t] === 'server');
    this.throttle = new ProgressThrottle(500, (claim, progress) => this.writeProgress(claim, progress));
  }

  async start(): Promise<void> {
    // Tasks queued while the connection was down sent their NOTIFY into the void: look now.
    this.listener = await listen({
      url: this.databaseUrl,
      channel: TASKS_CHANNEL,
      log: this.log,
      onNotification: () => this.wake(),
      onReconnect: () => this.wake(),
    });
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs);
    void this.watchCancellations();
    this.wake();
  }

  /** Runs a dispatch pass soon; calls while one runs fold into one more pass. */
  wake(): void {
    if (this.stopped) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    this.passing = true;
    // Outside whichever request woke it: tasks carry the request id they were queued under.
    void withRequestId(null, () => this.dispatch())
      .catch((err: unknown) => this.log.error({ err }, 'orchestrator: dispatch failed'))
      .finally(() => {
        this.passing = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Timer-based event: renew our leases, take back lapsed ones anywhere, check remote runners. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.queue.renewHeld(this.heldClaims());
      await this.heartbeatLocalRunners();
      const recovered = await recoverInterruptedTasks(this.db, null, this.log);
      await this.remotes.markSilentRunnersFailed();
      if (recovered.requeued.length || recovered.failed.length) {
        for (const id of [...recovered.requeued, ...recovered.failed]) this.changed(id);
      }
    } catch (err) {
      this.log.error({ err }, 'orchestrator: tick failed');
    }
    this.wake();
  }

  /** Local runners are alive while this loop runs; their heartbeat says so to the admin pages. */
  private async heartbeatLocalRunners(): Promise<void> {
    const ids =
      this.pool
        ?.list()
        .filter((r) => r.status === 'IDLE' || r.status === 'BUSY')
        .map((r) => r.id) ?? [];
    if (!ids.length) return;
    await this.runners.heartbeat(ids);
    for (const id of ids) this.pubsub.publish('RUNNER_CHANGED', id);
  }

  // --- local runner events -------------------------------------------------------------------

  onRunnerReady(): void {
    this.wake();
  }

  onRunnerMessage(runner: LocalRunner, msg: FromWorker): void {
    const assignment = runner.assignment;
    if (!assignment || !('taskId' in msg) || msg.taskId !== assignment.taskId) return;
    const claim = this.claimFor(runner, assignment);
    switch (msg.type) {
      case 'progress':
        this.throttle.push(claim, msg.progress);
        return;
      case 'done':
        void this.finish(runner, claim, () => this.queue.complete(claim, msg.result));
        return;
      case 'failed':
        void this.finish(runner, claim, () => this.queue.fail(claim, msg.error, msg.permanent));
        return;
    }
  }

  onRunnerExited(runner: LocalRunner, assignment: Assignment | null, reason: string): void {
    if (!assignment) return;
    const claim = this.claimFor(runner, assignment);
    this.throttle.drop(claim.taskId);
    void this.queue
      .fail(claim, reason)
      .then(() => this.wake())
      .catch((err: unknown) => {
        if (!(err instanceof LeaseLostError)) this.log.error({ err }, 'orchestrator: could not requeue after a crash');
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.subscription?.return?.();
    for (const { abort } of this.serverRunning.values()) abort.abort();
    await this.listener?.stop();
    this.listener = null;
  }

  /** After the runners stopped: give back what this node still holds, without counting an attempt. */
  async releaseHeldTasks(): Promise<void> {
    await this.queue.releaseHeldBy(this.opts.nodeId);
  }

  // --- internals -----------------------------------------------------------------------------

  private async dispatch(): Promise<void> {
    for (const runner of this.pool?.idle() ?? []) {
      const holder = `${this.opts.nodeId}/${runner.id}`;
      const task = await this.queue.claim(holder, this.runnerTypes, { nodeId: this.opts.nodeId, runnerId: runner.id });
      if (!task) break;
      this.pool!.assign(runner.id, toAssignment(task));
    }
    while (this.serverRunning.size < this.opts.serverConcurrency && this.serverTypes.length) {
      const task = await this.queue.claim(`${this.opts.nodeId}/server`, this.serverTypes, { nodeId: this.opts.nodeId });
      if (!task) break;
      void this.runInProcess(task);
    }
  }

  private async runInProcess(task: Task): Promise<void> {
    const claim: Claim = { taskId: task.id, attempt: task.attempts, holder: task.lockedBy! };
    const abort = new AbortController();
    this.serverRunning.set(task.id, { claim, abort });
    const handler = this.serverHandlers.get(task.type)!;
    const log = this.log.child({
      task: task.id,
      type: task.type,
      attempt: task.attempts,
      ...(task.requestId ? { reqId: task.requestId } : {}),
    });
    try {
      // Tasks the handler queues (a training run's candidates) carry the same request id.
      const result = await withRequestId(task.requestId, () =>
        handler.run({
          task,
          payload: task.payload,
          signal: abort.signal,
          progress: async (p) => this.throttle.push(claim, p),
          log,
        }),
      );
      await this.throttle.flush(task.id).catch(() => {});
      await this.recordWithRetry(claim, () => this.queue.complete(claim, result));
    } catch (e) {
      this.throttle.drop(task.id);
      const message = abort.signal.aborted ? 'cancelled' : e instanceof Error ? e.message : String(e);
      if (!abort.signal.aborted) log.warn({ err: e }, 'task attempt failed');
      await this.recordWithRetry(claim, () => this.queue.fail(claim, message, e instanceof PermanentTaskError));
    } finally {
      this.serverRunning.delete(task.id);
      this.wake();
    }
  }

  private async finish(runner: LocalRunner, claim: Claim, record: () => Promise<unknown>): Promise<void> {
    this.pool?.release(runner.id);
    await this.throttle.flush(claim.taskId).catch(() => {});
    await this.recordWithRetry(claim, record);
    this.wake();
  }

  /**
   * Writes a task's end, retrying while PostgreSQL is unreachable (the claim stays held, so its
   * lease is renewed meanwhile). After RECORD_RETRY_MS it lets go: the lease lapses and recovery
   * requeues the task — it runs again rather than being lost.
   */
  private async recordWithRetry(claim: Claim, record: () => Promise<unknown>): Promise<void> {
    this.recording.set(claim.taskId, claim);
    try {
      for (let delay = 500, waited = 0; ; delay = Math.min(delay * 2, 10_000)) {
        try {
          await record();
          return;
        } catch (err) {
          // A holder whose claim was taken over is told nothing more; the new holder owns the task.
          if (err instanceof LeaseLostError) return;
          if (this.stopped || waited >= RECORD_RETRY_MS) {
            this.log.error({ err, task: claim.taskId }, 'could not record the end of a task; it will be retried');
            return;
          }
          this.log.warn({ err, task: claim.taskId }, 'could not record the end of a task yet; retrying');
          await new Promise((r) => setTimeout(r, delay));
          waited += delay;
        }
      }
    } finally {
      this.recording.delete(claim.taskId);
    }
  }

  private async writeProgress(claim: Claim, progress: Record<string, unknown>): Promise<void> {
    try {
      const { cancelRequested } = await this.queue.progress(claim, progress);
      if (cancelRequested) this.stopLocally(claim.taskId);
    } catch (err) {
      if (err instanceof LeaseLostError) this.stopLocally(claim.taskId);
      else this.log.error({ err }, 'could not record progress');
    }
  }

  /** Cancellation and takeover reach a running task at once through the task-change stream. */
  private async watchCancellations(): Promise<void> {
    const iterator = this.pubsub.subscribe('TASK_CHANGED')[Symbol.asyncIterator]();
    this.subscription = iterator;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const id = next.value;
      if (!this.holds(id)) continue;
      const row = await this.tasks.find(id).catch(() => null);
      const mine = row && row.status === 'RUNNING' && row.lockedBy?.startsWith(`${this.opts.nodeId}/`);
      if (!row || row.cancelRequested || !mine) this.stopLocally(id);
    }
  }

  /** Every claim this process holds now: tasks running here, on local runners, or being recorded. */
  private heldClaims(): Claim[] {
    const local = (this.pool?.list() ?? []).flatMap((r) => (r.assignment ? [this.claimFor(r, r.assignment)] : []));
    return [...[...this.serverRunning.values()].map((s) => s.claim), ...local, ...this.recording.values()];
  }

  private holds(taskId: string): boolean {
    return this.serverRunning.has(taskId) || Boolean(this.pool?.list().some((r) => r.assignment?.taskId === taskId));
  }

  private stopLocally(taskId: string): void {
    this.serverRunning.get(taskId)?.abort.abort();
    this.pool?.cancel(taskId);
  }

  private claimFor(runner: LocalRunner, a: Assignment): Claim {
    return { taskId: a.taskId, attempt: a.attempt, holder: `${this.opts.nodeId}/${runner.id}` };
  }

  private changed(taskId: string): void {
    this.pubsub.publish('TASK_CHANGED', taskId);
  }
}
