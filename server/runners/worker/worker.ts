import { PermanentTaskError } from '../../tasks/task-types';
import type { Assignment } from '../protocol';
import { runnerHandlers, type RunnerHandler } from './handlers';

/** How a worker talks to its server; local runners use IPC, remote ones GraphQL over HTTP. */
export interface WorkerTransport {
  progress(assignment: Assignment, progress: Record<string, unknown>): Promise<void>;
  done(assignment: Assignment, result: Record<string, unknown>): Promise<void>;
  failed(assignment: Assignment, error: string, permanent: boolean): Promise<void>;
}

/**
 * The runner program, the same for local and remote runners: runs one assignment at a time with
 * the handler of its type, and stops it when asked.
 */
export class Worker {
  private current: { assignment: Assignment; abort: AbortController } | null = null;

  constructor(
    private readonly transport: WorkerTransport,
    private readonly handlers: Map<string, RunnerHandler> = runnerHandlers(),
  ) {}

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
      const result = await handler({
        payload: assignment.payload,
        signal: abort.signal,
        progress: (p) => this.transport.progress(assignment, p),
      });
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
