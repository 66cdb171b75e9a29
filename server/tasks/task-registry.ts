import { TaskType } from './task.entity';
import { TASK_PLACEMENT, type TaskHandler } from './task-types';

/**
 * Types whose handlers have not landed yet: enqueueing one is refused with a clear error instead of
 * leaving a task queued forever. This list only shrinks.
 */
export const UNAVAILABLE_TASK_TYPES: ReadonlySet<TaskType> = new Set<TaskType>([]);

/**
 * Server-placed handlers by type. Startup fails when an available server-placed type has no
 * handler or two, or a handler is given for a runner-placed type; runner-placed types are checked
 * against the worker's own registry (server/runners/worker/registry.ts).
 */
export function serverHandlerRegistry(
  handlers: TaskHandler[],
  runnerTypes: ReadonlySet<string>,
): Map<TaskType, TaskHandler> {
  const byType = new Map<TaskType, TaskHandler>();
  for (const h of handlers) {
    if (byType.has(h.type)) throw new Error(`two handlers for task type ${h.type}`);
    if (TASK_PLACEMENT[h.type] !== 'server') throw new Error(`task type ${h.type} runs on runners, not in the server`);
    byType.set(h.type, h);
  }
  for (const type of Object.values(TaskType)) {
    if (UNAVAILABLE_TASK_TYPES.has(type)) continue;
    const found = TASK_PLACEMENT[type] === 'server' ? byType.has(type) : runnerTypes.has(type);
    if (!found) throw new Error(`no handler for task type ${type} (placement: ${TASK_PLACEMENT[type]})`);
  }
  return byType;
}
