import { TaskType } from '../../tasks/task-type';
import type { RegisteredHandler, RunnerHandler } from './handlers';
import { noop } from './noop';
import { splitModelTask } from './split-model';
import { trainCandidate } from './train-candidate';
import { trainHeadTask } from './train-head';

/** Pairs a type with its handler, which the compiler checks against the task contract. */
const handler = <T extends TaskType>(type: T, run: RunnerHandler<T>): RegisteredHandler<T> => ({ type, run });

/** The runner-side handlers by task type; two for one type is a programming error. */
export function runnerHandlers(): Map<TaskType, RegisteredHandler> {
  const list: RegisteredHandler[] = [
    handler(TaskType.NOOP, noop),
    handler(TaskType.TRAIN_CANDIDATE, trainCandidate),
    handler(TaskType.SPLIT_MODEL, splitModelTask),
    handler(TaskType.TRAIN_HEAD, trainHeadTask),
  ];
  const byType = new Map<TaskType, RegisteredHandler>();
  for (const h of list) {
    if (byType.has(h.type)) throw new Error(`two runner handlers for task type ${h.type}`);
    byType.set(h.type, h);
  }
  return byType;
}
