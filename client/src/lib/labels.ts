import type {
  CandidateStatus,
  ExpansionOutcome,
  HeadStatus,
  ImageSplit,
  RunnerStatus,
  SkipReason,
  TaskStatus,
  TaskType,
} from './gql/graphql';

/** Words and badge colours for task and runner states; `Record` makes a new enum value a compile error. */
export const TASK_TYPES: Record<TaskType, string> = {
  IMPORT_DATASET: 'Import dataset',
  TRAIN_MODEL: 'Train model',
  TRAIN_CANDIDATE: 'Train candidate',
  SPLIT_MODEL: 'Split model',
  EXPAND_MODEL: 'Add classes',
  TRAIN_HEAD: 'Train head',
  CLASSIFY_BATCH: 'Classify batch',
  NOOP: 'Diagnostic',
};

export const TASK_STATUSES: Record<TaskStatus, { label: string; tone: Tone }> = {
  QUEUED: { label: 'Queued', tone: 'plain' },
  RUNNING: { label: 'Running', tone: 'busy' },
  SUCCEEDED: { label: 'Succeeded', tone: 'good' },
  FAILED: { label: 'Failed', tone: 'bad' },
  CANCELLED: { label: 'Cancelled', tone: 'warn' },
};

export const RUNNER_STATUSES: Record<RunnerStatus, { label: string; tone: Tone }> = {
  STARTING: { label: 'Starting', tone: 'plain' },
  IDLE: { label: 'Idle', tone: 'good' },
  BUSY: { label: 'Busy', tone: 'busy' },
  FAILED: { label: 'Failed', tone: 'bad' },
  OFFLINE: { label: 'Offline', tone: 'warn' },
};

export type Tone = 'plain' | 'busy' | 'good' | 'bad' | 'warn';

/** The badge classes in styles/content.css. */
export const TONE_CLASS: Record<Tone, string> = {
  plain: 'badge',
  busy: 'badge badge-training',
  good: 'badge badge-ready',
  bad: 'badge badge-failed',
  warn: 'badge badge-warning',
};

export const CANDIDATE_STATUSES: Record<CandidateStatus, { label: string; tone: Tone }> = {
  QUEUED: { label: 'Waiting', tone: 'plain' },
  TRAINING: { label: 'Training', tone: 'busy' },
  COMPLETED: { label: 'Finished', tone: 'plain' },
  PRUNED: { label: 'Stopped early', tone: 'warn' },
  FAILED: { label: 'Failed', tone: 'bad' },
  PROMOTED: { label: 'Chosen', tone: 'good' },
};

/** Why an import skipped a file, in words; the server's detail says more about each file. */
export const SKIP_REASONS: Record<SkipReason, string> = {
  NOT_AN_IMAGE: 'Not an image',
  UNSUPPORTED_FORMAT: 'Unsupported format',
  CORRUPT: 'Damaged file',
  TOO_LARGE: 'Too large',
  DUPLICATE: 'Duplicate',
  OUTSIDE_CLASS_FOLDER: 'Not in a class folder',
  UNSAFE_PATH: 'Unsafe path',
  EMPTY_CLASS_FOLDER: 'Empty class folder',
  SYSTEM_FILE: 'System file',
  INVALID_URL: 'Invalid URL',
  MISSING_LABEL: 'No label',
};

export const SPLITS: Record<ImageSplit, string> = {
  TRAIN: 'training',
  VALIDATION: 'validation',
  TEST: 'test',
};

export const HEAD_STATUSES: Record<HeadStatus, { label: string; tone: Tone }> = {
  TRAINING: { label: 'Training', tone: 'busy' },
  ACTIVE: { label: 'Serving', tone: 'good' },
  REJECTED: { label: 'Rejected', tone: 'bad' },
  RETIRED: { label: 'Retired', tone: 'plain' },
};

export const EXPANSION_OUTCOMES: Record<ExpansionOutcome, { label: string; tone: Tone }> = {
  QUEUED: { label: 'Waiting for a runner', tone: 'plain' },
  TRAINING: { label: 'Training heads', tone: 'busy' },
  ACTIVATED: { label: 'New classes serving', tone: 'good' },
  REJECTED: { label: 'Rejected: under target', tone: 'bad' },
  FAILED: { label: 'Failed', tone: 'bad' },
  CANCELLED: { label: 'Cancelled', tone: 'warn' },
};
