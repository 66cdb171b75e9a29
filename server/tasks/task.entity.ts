import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../auth/user.entity';
import { Model } from '../models/model.entity';

/** Every long job Percept runs. Each type has exactly one handler (see tasks/task-registry.ts). */
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

export enum TaskStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(TaskStatus, { name: 'TaskStatus' });

@ObjectType()
@Entity('tasks')
// The claim query walks this index: `WHERE status = 'QUEUED' AND "runAt" <= now() ORDER BY priority DESC, "createdAt"`.
@Index('tasks_claim_idx', ['status', 'priority', 'createdAt'])
export class Task {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => TaskType)
  @Column({ type: 'enum', enum: TaskType, enumName: 'task_type' })
  type!: TaskType;

  @Field(() => TaskStatus)
  @Column({ type: 'enum', enum: TaskStatus, enumName: 'task_status', default: TaskStatus.QUEUED })
  status!: TaskStatus;

  /** Higher runs first; ties go to the oldest. */
  @Field(() => Int)
  @Column({ type: 'int', default: 0 })
  priority!: number;

  /** Shown to clients without internals (task.presenter.ts). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  payload!: Record<string, unknown>;

  @Field(() => GraphQLJSON, { nullable: true })
  @Column({ type: 'jsonb', nullable: true })
  progress!: Record<string, unknown> | null;

  /** Shown to clients without internals (task.presenter.ts). */
  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Field(() => Int)
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Field(() => Int)
  @Column({ type: 'int', default: 3 })
  maxAttempts!: number;

  @Field(() => ID, { nullable: true, description: 'The user the task works for.' })
  @Index()
  @Column({ type: 'uuid', nullable: true })
  ownerId!: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'ownerId' })
  owner?: User | null;

  @Field(() => ID, { nullable: true })
  @Index()
  @Column({ type: 'uuid', nullable: true })
  modelId!: string | null;

  @ManyToOne(() => Model, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'modelId' })
  model?: Model | null;

  @Field(() => ID, { nullable: true })
  @Column({ type: 'uuid', nullable: true })
  runnerId!: string | null;

  /** `<nodeId>/<runner>` of the holder; with `attempts` it is the claim's fencing token. */
  @Column({ type: 'text', nullable: true })
  lockedBy!: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  /** Not before this time (retry backoff). */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  runAt!: Date;

  @Field(() => Boolean)
  @Column({ type: 'boolean', default: false })
  cancelRequested!: boolean;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date)
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
