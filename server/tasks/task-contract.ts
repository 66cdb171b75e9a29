import type { DatasetSnapshot } from '../datasets/image.queries';
import type { ImportResult } from '../datasets/import-report';
import type { Evaluation } from '../ml/evaluate';
import type { EpochMetrics } from '../ml/checkpoint';
import type { StopReason } from '../ml/train';
import { TaskType } from './task-type';

/*
 * The task contract: each task type pairs the payload it is queued with (TaskPayloads) and the
 * result its handler returns (TaskResults). Handlers on both sides — server handlers
 * (TaskHandler<T>) and runner handlers (RunnerHandler<T>) — are typed by it, and coordinators read
 * their children's rows typed (`isTask`, TaskRepository), so a change to a shape is a compile error everywhere
 * it is used, not a surprise in a JSON column.
 */

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
   * The data the run trains on, taken at its start: images uploaded while it trains wait for the
   * next run. Absent in runs queued before snapshots existed: each round takes the data as it is.
   */
  snapshot?: DatasetSnapshot;
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
  /** The run's snapshot of the data (TrainModelPayload.snapshot); absent: the data as it is. */
  snapshot?: DatasetSnapshot;
  /** The generator's description; runners rebuild the network from it. */
  architecture: unknown;
  seed: number;
  batchSize: number;
  /** How to train (server/ml/recipe.ts); absent in rounds queued before recipes existed: the defaults. */
  recipe?: unknown;
  /** Epochs the learning-rate schedule spans (selection.ts scheduleEpochs); absent: a constant rate. */
  scheduleEpochs?: number;
  /**
   * The chosen candidate trained again from scratch on its training and validation images, with
   * a checkpoint of its own (selection.ts refitReason); with `finalize`, promote that network.
   */
  refit?: boolean;
  /**
   * Cores this round may use (1 when absent): with 2, the runner trains with a replica in a worker
   * thread (server/ml/replica.ts) when the round's work pays for one. Set when a run trains fewer
   * candidates than there are runners, whose cores would otherwise idle.
   */
  threads?: number;
  /**
   * With `finalize`: the run's other finished candidates, best first. Each whose mean with the
   * chosen network is clearly better on the validation images joins it (server/ml/ensemble.ts),
   * and the export serves them together. Absent or empty: the chosen network alone.
   */
  partners?: EnsemblePartner[];
}

/** A candidate offered to join the chosen one at promotion (TrainCandidatePayload.partners). */
export interface EnsemblePartner {
  candidateId: string;
  architecture: unknown;
  seed: number;
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
  /** The data when the expansion was planned: images uploaded meanwhile wait for the next one. */
  snapshot?: DatasetSnapshot;
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

/** One round of TRAIN_CANDIDATE: what training did, from the checkpoint on. */
export interface TrainRoundResult {
  epochs: number;
  stopReason: StopReason | 'deadline';
  history: EpochMetrics[];
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  resumedFrom: number;
  seconds: number;
  /** Absent in rounds recorded before it was. */
  validationImages?: number;
  /** The images it trained on (training and validation ones in a refit round); absent in older rounds. */
  trainImages?: number;
  /** 2 when a replica computed part of each batch (TrainCandidatePayload.threads); absent: 1. */
  threads?: number;
  /** Why the replica the round was given could not start (it then trained alone). */
  replicaError?: string;
}

/** The finalize round of TRAIN_CANDIDATE: the test evaluation and where the export went. */
export interface FinalizeResult {
  evaluation: Evaluation;
  evaluatedOn: 'test' | 'validation';
  artifactKey: string;
  epochs: number;
  /** When partners were offered: what validation said of serving them together. */
  ensemble?: EnsembleOutcome;
}

export interface EnsembleOutcome {
  /** The candidates the export serves, the chosen one first; only it when no partner helped. */
  members: string[];
  /** The partners offered. */
  offered: string[];
  validationImages: number;
  /** Validation accuracy of the chosen network alone, and of the mean of the members. */
  aloneAccuracy: number;
  accuracy: number;
}

export interface SplitModelResult {
  baseKey: string;
  headKey: string;
  featureSize: number;
  maxAbsDiff: number;
  tolerance: number;
}

export interface TrainHeadResult {
  heads: { headId: string; epochs: number; bestValAccuracy: number | null; history: unknown[] }[];
  evaluation: Evaluation;
  evaluatedOn: string;
  oldClassesAccuracy: number | null;
  newClassesAccuracy: number | null;
  features: { featureSize: number; reused: number; computed: number };
  seconds: number;
  timings: Record<string, number>;
}

/** What TRAIN_MODEL recorded of an expandable model's split: the first head, or why it failed. */
export type SplitOutcome =
  { headId: string; baseKey: string; featureSize: number; maxAbsDiff: number; tolerance: number } | { failed: string };

/** The promoted candidate (and, for an expandable model, how its split went), or why the run stopped. */
export interface TrainModelResult {
  [key: string]: unknown;
  promoted?: string;
  split?: SplitOutcome;
}

export interface ExpandModelResult {
  [key: string]: unknown;
  activated?: boolean;
  reason?: string | null;
}

/** One file of a CLASSIFY_BATCH: its top predictions, or why it could not be classified. */
export interface BatchItem {
  name: string;
  predictions?: { className: string; probability: number }[];
  /** Whether the top answer cleared its class's threshold; null when the class has none. Absent in older results. */
  accepted?: boolean | null;
  threshold?: number | null;
  error?: string;
}

export interface ClassifyBatchResult {
  count: number;
  classified: number;
  failed: number;
  candidateId: string;
  results: BatchItem[];
}

/** The result each task type's handler returns (stored as the row's `result`). */
export interface TaskResults {
  [TaskType.IMPORT_DATASET]: ImportResult;
  [TaskType.TRAIN_MODEL]: TrainModelResult;
  [TaskType.TRAIN_CANDIDATE]: TrainRoundResult | FinalizeResult;
  [TaskType.SPLIT_MODEL]: SplitModelResult;
  [TaskType.EXPAND_MODEL]: ExpandModelResult;
  [TaskType.TRAIN_HEAD]: TrainHeadResult;
  [TaskType.CLASSIFY_BATCH]: ClassifyBatchResult;
  [TaskType.NOOP]: { pid: number };
}

export type AnyTaskPayload = TaskPayloads[TaskType];
export type AnyTaskResult = TaskResults[TaskType];

/** The result of a TRAIN_CANDIDATE training round (not a finalize round). */
export function trainingRound(result: TaskResults[TaskType.TRAIN_CANDIDATE] | null): TrainRoundResult {
  if (!result || 'evaluation' in result) throw new Error('expected the result of a training round');
  return result;
}

/** The result of a TRAIN_CANDIDATE finalize round: the test evaluation and the export. */
export function finalizeRound(result: TaskResults[TaskType.TRAIN_CANDIDATE] | null): FinalizeResult {
  if (!result || !('evaluation' in result)) throw new Error('expected the result of a finalize round');
  return result;
}
