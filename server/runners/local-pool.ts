import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Logger } from '../logging/logger';
import { answer, RpcChannel, type Assignment, type FromWorker, type ToWorker } from './protocol';
import { RunnerStatus } from './runner.entity';
import type { RunnerRepository } from './runner.repository';

export interface LocalRunnerEvents {
  ready(runner: LocalRunner): void;
  message(runner: LocalRunner, msg: FromWorker): void;
  /** The process exited or crashed while it held `assignment` (if any). */
  exited(runner: LocalRunner, assignment: Assignment | null, reason: string): void;
  changed(runnerId: string): void;
}

export interface LocalRunner {
  id: string;
  name: string;
  status: RunnerStatus;
  disabled: boolean;
  assignment: Assignment | null;
}

const WORKER_MAIN = join(__dirname, 'worker', 'local-main.js');
const MAX_RESTART_DELAY_MS = 30_000;

/** The local runners: child processes of this server, restarted when they crash. */
export class LocalPool {
  private readonly runners = new Map<
    string,
    LocalRunner & { child: ChildProcess | null; crashes: number; stopping: boolean; rpc: RpcChannel | null }
  >();
  private turn = 0;
  private stopped = false;

  constructor(
    private readonly rows: RunnerRepository,
    private readonly nodeId: string,
    private readonly size: number,
    private readonly events: LocalRunnerEvents,
    private readonly log: Logger,
    /** What workers may ask of the server (RunnerData over IPC). */
    private readonly serverMethods: Record<string, (...args: any[]) => Promise<unknown>> = {},
    private readonly workerEnv: NodeJS.ProcessEnv = {},
  ) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.size; i++) {
      const name = `${this.nodeId}/local-${i}`;
      const saved = await this.rows.startLocal(name, this.nodeId);
      this.runners.set(saved.id, {
        id: saved.id,
        name,
        status: RunnerStatus.STARTING,
        disabled: saved.disabled,
        assignment: null,
        child: null,
        crashes: 0,
        stopping: false,
        rpc: null,
      });
      this.spawn(saved.id);
    }
  }

  list(): LocalRunner[] {
    return [...this.runners.values()];
  }

  has(runnerId: string): boolean {
    return this.runners.has(runnerId);
  }

  idle(): LocalRunner[] {
    return this.list().filter((r) => r.status === RunnerStatus.IDLE && !r.disabled && !r.assignment);
  }

  assign(runnerId: string, assignment: Assignment): void {
    const r = this.runners.get(runnerId);
    if (!r?.child) throw new Error(`runner ${runnerId} has no process`);
    r.assignment = assignment;
    void this.setStatus(r, RunnerStatus.BUSY, assignment.taskId);
    this.send(r, { type: 'run', assignment });
  }

  /** The worker reported the end of its assignment. */
  release(runnerId: string): void {
    const r = this.runners.get(runnerId);
    if (!r) return;
    r.assignment = null;
    if (r.status === RunnerStatus.BUSY) void this.setStatus(r, RunnerStatus.IDLE, null);
  }

  cancel(taskId: string): void {
    for (const r of this.runners.values())
      if (r.assignment?.taskId === taskId) this.send(r, { type: 'cancel', taskId });
  }

  setDisabled(runnerId: string, disabled: boolean): void {
    const r = this.runners.get(runnerId);
    if (r) r.disabled = disabled;
  }

  /**
   * Calls a method of a ready worker (e.g. `classify`), spreading calls over the runners; busy ones
   * answer between training batches. Returns null when no runner process is up.
   */
  async call<T>(method: string, args: unknown[]): Promise<T | null> {
    const ready = this.list().filter((r) => r.status === RunnerStatus.IDLE || r.status === RunnerStatus.BUSY);
    const idle = ready.filter((r) => r.status === RunnerStatus.IDLE);
    const pool = idle.length ? idle : ready;
    if (!pool.length) return null;
    const r = this.runners.get(pool[this.turn++ % pool.length]!.id)!;
    if (!r.rpc) return null;
    return r.rpc.call<T>(method, args);
  }

  /** Kills the process; it is restarted like a crashed one, and its task retried. */
  restart(runnerId: string): void {
    this.runners.get(runnerId)?.child?.kill('SIGKILL');
  }

  pidOf(runnerId: string): number | undefined {
    return this.runners.get(runnerId)?.child?.pid;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [...this.runners.values()].map(async (r) => {
        r.stopping = true;
        const child = r.child;
        if (child && child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        await this.setStatus(r, RunnerStatus.OFFLINE, null);
      }),
    );
  }

  private spawn(runnerId: string): void {
    const r = this.runners.get(runnerId)!;
    const child = fork(WORKER_MAIN, [], {
      env: { ...process.env, ...this.workerEnv, PERCEPT_RUNNER_ID: runnerId },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Structured clone: datasets and model weights cross as bytes, not as JSON arrays.
      serialization: 'advanced',
    });
    r.child = child;
    r.rpc = new RpcChannel((msg) => child.send(msg));
    child.on('message', (msg: FromWorker) => {
      if (msg.type === 'request') {
        void answer(msg, this.serverMethods, (res) => child.connected && child.send(res));
      } else if (msg.type === 'response') {
        r.rpc?.settle(msg);
      } else if (msg.type === 'ready') {
        r.crashes = 0;
        void this.rows.recordBackend(r.id, msg.backend, msg.device);
        void this.setStatus(r, RunnerStatus.IDLE, null).then(() => this.events.ready(r));
      } else {
        this.events.message(r, msg);
      }
    });
    // A message sent as the child dies (EPIPE) fails here rather than as an uncaught exception that
    // would take the server down; the 'exit' handler below requeues the runner's work and restarts it.
    child.on('error', (err) => {
      if (!r.stopping && !this.stopped) this.log.warn({ err, runner: r.name }, 'local runner channel error');
    });
    child.once('exit', (code, signal) => {
      r.child = null;
      r.rpc?.failAll(`runner ${r.name} exited`);
      r.rpc = null;
      const held = r.assignment;
      r.assignment = null;
      if (r.stopping || this.stopped) return;
      r.crashes++;
      const reason = `runner ${r.name} exited (${signal ?? `code ${code}`})`;
      this.log.warn({ runner: r.name, code, signal, task: held?.taskId }, 'local runner exited; restarting');
      void this.setStatus(r, RunnerStatus.FAILED, null);
      this.events.exited(r, held, reason);
      // Restart at once the first time; back off when it keeps crashing.
      const delay = Math.min(MAX_RESTART_DELAY_MS, r.crashes <= 1 ? 0 : 500 * 2 ** (r.crashes - 2));
      setTimeout(() => {
        if (!this.stopped) {
          void this.setStatus(r, RunnerStatus.STARTING, null);
          this.spawn(r.id);
        }
      }, delay);
    });
  }

  private send(r: { child: ChildProcess | null }, msg: ToWorker): void {
    r.child?.send(msg);
  }

  private async setStatus(r: LocalRunner, status: RunnerStatus, currentTaskId: string | null): Promise<void> {
    r.status = status;
    try {
      await this.rows.setStatus(r.id, status, currentTaskId);
      this.events.changed(r.id);
    } catch (e) {
      if (!this.stopped) this.log.error({ err: e, runner: r.name }, 'could not record runner status');
    }
  }
}
