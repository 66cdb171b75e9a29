import type { Logger } from '../logging/logger';
import type { Task } from './task.entity';
import { TaskType } from './task.entity';

/** The payload each task type carries. */
export interface TaskPayloads {
  [TaskType.IMPORT_DATASET]: {
    modelId: string;
    /** Where the uploaded archive or manifest waits, on the node that received it. */
    uploadPath: string;
    /** Server-side tasks with a file on local disk run only on the node that holds it. */
    nodeId: string;
    filename: string;
    kind: 'zip' | 'manifest';
  };
  [TaskType.TRAIN_MODEL]: TrainModelPayload;
  [TaskType.TRAIN_CANDIDATE]: TrainCandidatePayload;
  [TaskType.SPLIT_MODEL]: SplitModelPayload;
  [TaskType.EXPAND_MODEL]: ExpandModelPayload;
  [TaskType.TRAIN_HEAD]: TrainHeadPayload;
  [TaskType.CLASSIFY_BATCH]: {
    modelId: string;
    /** The network at the time of the request, so one batch is answered by one network. */
    candidateId: string;
    /** The uploaded zip of images, on the node that received it. */
    uploadPath: string;
    nodeId: string;
    topK: number;
  };
  [TaskType.NOOP]: { sleepMs?: number; fail?: string };
}

export interface TrainModelPayload {
  modelId: string;
  maxEpochs: number;
  /** Wall-time budget of the whole run; null: epochs only. */
  maxMinutes: number | null;
  /** Epochs per round; pruning is decided between rounds. */
  roundEpochs: number;
  /** A candidate whose best validation accuracy trails the best by more than this is pruned. */
  pruneGap: number;
  /** The run's start, fixed at enqueue so that a resumed run keeps its deadline. */
  startedAt: string;
  /**
   * Promote as soon as the best candidate reaches the model's target accuracy (the user's
   * choice for speed). Otherwise (the default, absent in older runs) train to convergence, the
   * epoch cap or the budget.
   */
  stopAtTarget?: boolean;
}

export interface TrainCandidatePayload {
  modelId: string;
  candidateId: string;
  /** The TRAIN_MODEL task this round belongs to. */
  trainTaskId: string;
  /** Train until this many epochs are complete in total (resuming from the checkpoint). */
  toEpoch: number;
  /** Stop after the epoch that ends past this time (ISO), checkpoint kept. */
  deadline: string | null;
  /** Promotion: evaluate on the test split and export the final model instead of training. */
  finalize: boolean;
  /** Identifies the dataset, so runners can keep it between rounds. */
  datasetVersion: string;
  /** The generator's description; runners rebuild the network from it. */
  architecture: unknown;
  seed: number;
  batchSize: number;
  /** How to train (server/ml/recipe.ts); absent in rounds queued before recipes existed: the defaults. */
  recipe?: unknown;
  /** Epochs the learning-rate schedule spans (selection.ts scheduleEpochs); absent: a constant rate. */
  scheduleEpochs?: number;
}

export interface SplitModelPayload {
  modelId: string;
  /** The promoted candidate, and the TRAIN_MODEL task that promoted it. */
  candidateId: string;
  trainTaskId: string;
  architecture: unknown;
  /** The exported full network. */
  artifactKey: string;
  /** Where the base and the first head go; the head's row gets `headId` once the split succeeds. */
  baseKey: string;
  headId: string;
  headKey: string;
}

export interface ExpandModelPayload {
  modelId: string;
  /** What started it: an import that brought new classes, or the user (expandModel). */
  trigger: 'import' | 'user';
}

export interface TrainHeadPayload {
  modelId: string;
  /** The EXPAND_MODEL task this belongs to. */
  expandTaskId: string;
  datasetVersion: string;
  /** The frozen base (read only) and its feature cache. */
  baseKey: string;
  featuresKey: string;
  /**
   * Heads to train, each saved at `artifactKey`: the new head (`fromKey` null) and a none-aware
   * copy of every active head (fine-tuned from `fromKey`; `fromNoneOutput` says whether it has one).
   */
  heads: {
    headId: string;
    artifactKey: string;
    fromKey: string | null;
    fromNoneOutput: boolean;
    classIndexes: number[];
    /** Most epochs (early stopping may end it sooner), and the step size. */
    epochs: number;
    learningRate: number;
  }[];
  seed: number;
  batchSize: number;
}

/** Where a type runs: in a server process (I/O and database work) or on a runner (ML work). */
export const TASK_PLACEMENT: Record<TaskType, 'server' | 'runner'> = {
  [TaskType.IMPORT_DATASET]: 'server',
  [TaskType.TRAIN_MODEL]: 'server',
  [TaskType.TRAIN_CANDIDATE]: 'runner',
  [TaskType.SPLIT_MODEL]: 'runner',
  [TaskType.EXPAND_MODEL]: 'server',
  [TaskType.TRAIN_HEAD]: 'runner',
  // It reads the archive on the node that holds it; the predictions run on the warm runners.
  [TaskType.CLASSIFY_BATCH]: 'server',
  [TaskType.NOOP]: 'runner',
};

export interface TaskContext<T extends TaskType> {
  /** The row, reloaded when the attempt starts. */
  task: Task;
  payload: TaskPayloads[T];
  /** Aborted when the task is cancelled or this holder loses its lease: stop promptly. */
  signal: AbortSignal;
  /** Stores progress on the row and pushes it to subscribers (throttled by the queue). */
  progress(progress: Record<string, unknown>): Promise<void>;
  log: Logger;
}

/**
 * One handler per task type (startup fails on a missing or duplicate one). A handler must be safe
 * to run twice: a retried attempt starts over from what PostgreSQL says is done. Throwing fails
 * the attempt with the error's message; `PermanentTaskError` fails the task without a retry.
 */
export interface TaskHandler<T extends TaskType = TaskType> {
  type: T;
  run(ctx: TaskContext<T>): Promise<Record<string, unknown>>;
}

/** A failure that retrying cannot fix (bad input, a deleted model). */
export class PermanentTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentTaskError';
  }
}
