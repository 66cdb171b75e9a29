import type { TaskType } from '../tasks/task.entity';

/** The work a runner is given: enough to run the attempt and to fence every report about it. */
export interface Assignment {
  taskId: string;
  attempt: number;
  type: TaskType;
  payload: Record<string, unknown>;
}

/** Server → worker, over IPC for local runners (remote runners get the same through GraphQL). */
export type ToWorker = { type: 'run'; assignment: Assignment } | { type: 'cancel'; taskId: string };

/** Worker → server. */
export type FromWorker =
  | { type: 'ready'; backend: string; device: string }
  | { type: 'progress'; taskId: string; progress: Record<string, unknown> }
  | { type: 'done'; taskId: string; result: Record<string, unknown> }
  | { type: 'failed'; taskId: string; error: string; permanent: boolean };
