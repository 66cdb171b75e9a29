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

  @Field(() => Float, { nullable: true })
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
