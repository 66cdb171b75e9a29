import { registerEnumType } from 'type-graphql';

/** Every long job Percept runs. Each type has exactly one handler (see tasks/task-registry.ts); what each carries and returns is in task-contract.ts. */
export enum TaskType {
  IMPORT_DATASET = 'IMPORT_DATASET',
  /** Coordinates a training run: queues candidate rounds, prunes, promotes. */
  TRAIN_MODEL = 'TRAIN_MODEL',
  /** Trains one candidate for one round of epochs (or evaluates it for promotion). */
  TRAIN_CANDIDATE = 'TRAIN_CANDIDATE',
  /** Cuts a promoted expandable network into a base and a first head. */
  SPLIT_MODEL = 'SPLIT_MODEL',
  /** Coordinates adding classes to an expandable model: queues head training, activates or rejects. */
  EXPAND_MODEL = 'EXPAND_MODEL',
  /** Trains a new head (and none-aware copies of the active ones) on cached base features. */
  TRAIN_HEAD = 'TRAIN_HEAD',
  CLASSIFY_BATCH = 'CLASSIFY_BATCH',
  /** Does nothing; used to measure the queue itself. */
  NOOP = 'NOOP',
}
registerEnumType(TaskType, { name: 'TaskType' });
