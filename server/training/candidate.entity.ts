import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
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
import { Model } from '../models/model.entity';

export enum CandidateStatus {
  QUEUED = 'QUEUED',
  TRAINING = 'TRAINING',
  /** Stopped early because it trailed the best candidate; see `prunedReason`. */
  PRUNED = 'PRUNED',
  COMPLETED = 'COMPLETED',
  PROMOTED = 'PROMOTED',
  FAILED = 'FAILED',
}
registerEnumType(CandidateStatus, { name: 'CandidateStatus' });

/** One generated network of a training run. */
@ObjectType()
@Entity('candidates')
@Index(['modelId', 'createdAt'])
export class Candidate {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  modelId!: string;

  @ManyToOne(() => Model, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'modelId' })
  model?: Model;

  /** The training task that created it. */
  @Column({ type: 'uuid', nullable: true })
  taskId!: string | null;

  @Field(() => String)
  @Column({ type: 'text' })
  name!: string;

  @Field(() => String)
  @Column({ type: 'text' })
  family!: string;

  /** The architecture description emitted by the generator (server/ml). */
  @Column({ type: 'jsonb' })
  architecture!: unknown;

  @Field(() => CandidateStatus)
  @Column({ type: 'enum', enum: CandidateStatus, enumName: 'candidate_status', default: CandidateStatus.QUEUED })
  status!: CandidateStatus;

  @Field(() => Int)
  @Column({ type: 'int', default: 0 })
  epochsDone!: number;

  @Field(() => Float, { nullable: true })
  @Column({ type: 'double precision', nullable: true })
  bestValAccuracy!: number | null;

  @Field(() => Float, { nullable: true })
  @Column({ type: 'double precision', nullable: true })
  testAccuracy!: number | null;

  /** Per-round metrics, per-class precision/recall and the confusion matrix. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  metrics!: Record<string, unknown>;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  prunedReason!: string | null;

  /** Blob-store prefix of the latest checkpoint (weights + optimizer + epoch). */
  @Column({ type: 'text', nullable: true })
  checkpointKey!: string | null;

  /** Blob-store prefix of the final TensorFlow.js Layers model. */
  @Column({ type: 'text', nullable: true })
  artifactKey!: string | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date)
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
