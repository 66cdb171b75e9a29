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
import type { TaskPayloads, TaskResults } from './task-contract';
import { TaskType } from './task-type';

export { TaskType };

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
export class Task<T extends TaskType = TaskType> {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => TaskType)
  @Column({ type: 'enum', enum: TaskType, enumName: 'task_type' })
  type!: T;

  @Field(() => TaskStatus)
  @Column({ type: 'enum', enum: TaskStatus, enumName: 'task_status', default: TaskStatus.QUEUED })
  status!: TaskStatus;

  /** Higher runs first; ties go to the oldest. */
  @Field(() => Int)
  @Column({ type: 'int', default: 0 })
  priority!: number;

  /** Shown to clients without internals (task.presenter.ts). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  payload!: TaskPayloads[T];

  @Field(() => GraphQLJSON, { nullable: true })
  @Column({ type: 'jsonb', nullable: true })
  progress!: Record<string, unknown> | null;

  /** Shown to clients without internals (task.presenter.ts). */
  @Column({ type: 'jsonb', nullable: true })
  result!: TaskResults[T] | null;

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

  /** The HTTP request that queued the task, or that queued the task that did (its log lines' `reqId`). */
  @Column({ type: 'text', nullable: true })
  requestId!: string | null;

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

/** Narrows a row by its type column: its payload and result are then typed by the task contract. */
export function isTask<T extends TaskType>(task: Task, type: T): task is Task<T> {
  return task.type === type;
}
