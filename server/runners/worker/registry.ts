import { TaskType } from '../../tasks/task.entity';
import type { RunnerHandler } from './handlers';
import { noop } from './noop';
import { splitModelTask } from './split-model';
import { trainCandidate } from './train-candidate';
import { trainHeadTask } from './train-head';

/** The runner-side handlers by task type (ML handlers join as their issues land). */
export function runnerHandlers(): Map<string, RunnerHandler> {
  return new Map<string, RunnerHandler>([
    [TaskType.NOOP, noop],
    [TaskType.TRAIN_CANDIDATE, trainCandidate],
    [TaskType.SPLIT_MODEL, splitModelTask],
    [TaskType.TRAIN_HEAD, trainHeadTask],
  ]);
}
