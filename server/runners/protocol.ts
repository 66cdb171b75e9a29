import type { AnyTaskPayload } from '../tasks/task-contract';
import type { Task, TaskType } from '../tasks/task.entity';

/** The work a runner is given: enough to run the attempt and to fence every report about it. */
export interface Assignment {
  taskId: string;
  attempt: number;
  type: TaskType;
  payload: AnyTaskPayload;
}

export function toAssignment(task: Task): Assignment {
  return { taskId: task.id, attempt: task.attempts, type: task.type, payload: task.payload };
}

/** Where a remote runner reads and writes the data of the attempt it holds (runner-http.ts). */
export const runnerTaskPath = (taskId: string, attempt: number): string => `/runner/tasks/${taskId}/${attempt}`;

/** Calls either side makes of the other over IPC, answered by a `response` with the same id. */
export interface Request {
  type: 'request';
  id: number;
  method: string;
  args: unknown[];
}

export interface Response {
  type: 'response';
  id: number;
  result?: unknown;
  error?: string;
}

/**
 * Server → worker, over IPC for local runners (remote runners get assignments through GraphQL).
 * Requests to a worker: `classify`.
 */
export type ToWorker =
  { type: 'run'; assignment: Assignment } | { type: 'cancel'; taskId: string } | Request | Response;

/** Worker → server. Requests to the server: the RunnerData methods. */
export type FromWorker =
  | { type: 'ready'; backend: string; device: string }
  | { type: 'progress'; taskId: string; progress: Record<string, unknown> }
  | { type: 'done'; taskId: string; result: object }
  | { type: 'failed'; taskId: string; error: string; permanent: boolean }
  | Request
  | Response;

/** Pairs requests with responses over one message channel. */
export class RpcChannel {
  private next = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(private readonly send: (msg: Request) => void) {}

  call<T>(method: string, args: unknown[]): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ type: 'request', id, method, args });
    });
  }

  settle(msg: Response): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.error !== undefined) p.reject(new Error(msg.error));
    else p.resolve(msg.result);
  }

  /** The other side is gone: every pending call fails. */
  failAll(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }
}

export async function answer(
  msg: Request,
  handlers: Record<string, (...args: any[]) => Promise<unknown>>,
  reply: (r: Response) => void,
): Promise<void> {
  const handler = handlers[msg.method];
  try {
    if (!handler) throw new Error(`unknown method ${msg.method}`);
    reply({ type: 'response', id: msg.id, result: await handler(...msg.args) });
  } catch (e) {
    reply({ type: 'response', id: msg.id, error: e instanceof Error ? e.message : String(e) });
  }
}
