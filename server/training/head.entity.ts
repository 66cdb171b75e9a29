import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Model } from '../models/model.entity';

export enum HeadStatus {
  TRAINING = 'TRAINING',
  ACTIVE = 'ACTIVE',
  /** Trained but under the model's target accuracy; never served. */
  REJECTED = 'REJECTED',
  RETIRED = 'RETIRED',
}
registerEnumType(HeadStatus, { name: 'HeadStatus' });

/** A classifier over the frozen base of an expandable model. */
@ObjectType()
@Entity('heads')
@Index(['modelId', 'ordinal'], { unique: true })
export class Head {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => ID)
  @Column({ type: 'uuid' })
  modelId!: string;

  @ManyToOne(() => Model, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'modelId' })
  model?: Model;

  /** 0 for the head split from the promoted network, then 1, 2, … */
  @Field(() => Int)
  @Column({ type: 'int' })
  ordinal!: number;

  /** The base network version the head was trained on. */
  @Column({ type: 'text' })
  baseKey!: string;

  @Field(() => HeadStatus)
  @Column({ type: 'enum', enum: HeadStatus, enumName: 'head_status', default: HeadStatus.TRAINING })
  status!: HeadStatus;

  @Column({ type: 'text', nullable: true })
  artifactKey!: string | null;

  /** Global class index of each output, in output order (a deleted class keeps its output). */
  @Field(() => [Int], { description: 'Class index of each output, in output order.' })
  @Column({ type: 'int', array: true, default: () => "'{}'" })
  classIndexes!: number[];

  @Field(() => Boolean, {
    description:
      'Has a last "none of mine" output, trained on the other heads\' classes, so its scores compare across heads.',
  })
  @Column({ type: 'boolean', default: false })
  noneOutput!: boolean;

  /** The SPLIT_MODEL or EXPAND_MODEL task that made it. */
  @Column({ type: 'uuid', nullable: true })
  taskId!: string | null;

  /** Training history and, for a copy, `sourceHeadId`: the head it replaces when activated. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  metrics!: Record<string, unknown>;

  /** Not a column: names of the classes it serves now (deleted classes left out), set by the service. */
  @Field(() => [String], { description: 'Names of the classes it outputs (deleted classes are left out).' })
  classNames?: string[];

  @Field(() => Float, {
    nullable: true,
    description: 'Held-out accuracy over all served classes of the head set it was trained in.',
  })
  @Column({ type: 'double precision', nullable: true })
  accuracy!: number | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  rejectedReason!: string | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  activatedAt!: Date | null;
}
