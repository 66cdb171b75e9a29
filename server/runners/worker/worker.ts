import type { TaskType } from '../../tasks/task-type';
import { PermanentTaskError } from '../../tasks/task-types';
import { RunnerDatasets, type RunnerData, type RunnerDataSettings } from '../data/runner-data';
import type { Assignment } from '../protocol';
import type { RegisteredHandler } from './handlers';
import { runnerHandlers } from './registry';

/** How a worker talks to its server; local runners use IPC, remote ones GraphQL over HTTP. */
export interface WorkerTransport {
  progress(assignment: Assignment, progress: Record<string, unknown>): Promise<void>;
  done(assignment: Assignment, result: object): Promise<void>;
  failed(assignment: Assignment, error: string, permanent: boolean): Promise<void>;
}

/**
 * The runner program, the same for local and remote runners: runs one assignment at a time with
 * the handler of its type, and stops it when asked.
 */
export class Worker {
  private current: { assignment: Assignment; abort: AbortController } | null = null;

  private readonly datasets: RunnerDatasets;

  constructor(
    private readonly transport: WorkerTransport,
    private readonly data: RunnerData,
    private readonly handlers: Map<TaskType, RegisteredHandler> = runnerHandlers(),
    settings?: RunnerDataSettings,
  ) {
    this.datasets = new RunnerDatasets(data, settings);
  }

  get busy(): boolean {
    return this.current !== null;
  }

  async run(assignment: Assignment): Promise<void> {
    if (this.current) throw new Error(`worker busy with ${this.current.assignment.taskId}`);
    const abort = new AbortController();
    this.current = { assignment, abort };
    try {
      const handler = this.handlers.get(assignment.type);
      if (!handler) throw new PermanentTaskError(`this runner cannot run ${assignment.type} tasks`);
      const progress = throttled((p: Record<string, unknown>) => this.transport.progress(assignment, p), PROGRESS_MS);
      const result = await handler.run({
        payload: assignment.payload,
        signal: abort.signal,
        progress: progress.push,
        data: this.data,
        datasets: this.datasets,
      });
      await progress.flush();
      if (abort.signal.aborted) throw new Error('cancelled');
      await this.transport.done(assignment, result);
    } catch (e) {
      const message = abort.signal.aborted ? 'cancelled' : e instanceof Error ? e.message : String(e);
      await this.transport.failed(assignment, message, e instanceof PermanentTaskError);
    } finally {
      this.current = null;
    }
  }

  cancel(taskId: string): void {
    if (this.current?.assignment.taskId === taskId) this.current.abort.abort();
  }
}

// Handlers report per batch; the server needs a few reports a second at most.
const PROGRESS_MS = 250;

/** Sends the first report at once, then at most one per interval (the latest), and the last on flush. */
function throttled(send: (p: Record<string, unknown>) => Promise<void>, intervalMs: number) {
  let pending: Record<string, unknown> | null = null;
  let last = 0;
  let chain: Promise<void> = Promise.resolve();
  const emit = () => {
    const p = pending;
    pending = null;
    last = Date.now();
    if (p) chain = chain.then(() => send(p)).catch(() => {});
    return chain;
  };
  return {
    push: async (p: Record<string, unknown>) => {
      pending = p;
      if (Date.now() - last >= intervalMs) await emit();
    },
    flush: emit,
  };
}
