import type { RunnerStatus, TaskStatus, TaskType } from './gql/graphql';

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
