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
import { User } from '../auth/user.entity';

export enum ModelStatus {
  /** No trained network yet: waiting for data and a training run. */
  CREATED = 'CREATED',
  TRAINING = 'TRAINING',
  /** A trained network serves classification (possibly while a newer one trains). */
  READY = 'READY',
  FAILED = 'FAILED',
}
registerEnumType(ModelStatus, { name: 'ModelStatus' });

@ObjectType()
@Entity('models')
export class Model {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index()
  @Column({ type: 'uuid' })
  ownerId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ownerId' })
  owner?: User;

  @Field(() => String)
  @Column({ type: 'text' })
  name!: string;

  @Field(() => ModelStatus)
  @Column({ type: 'enum', enum: ModelStatus, enumName: 'model_status', default: ModelStatus.CREATED })
  status!: ModelStatus;

  /** Input shape of the network, read from the sample image at creation. */
  @Field(() => Int)
  @Column({ type: 'int' })
  inputWidth!: number;

  @Field(() => Int)
  @Column({ type: 'int' })
  inputHeight!: number;

  @Field(() => Int, { description: '1 (grey) or 3 (colour).' })
  @Column({ type: 'int' })
  inputChannels!: number;

  @Field(() => Boolean, { description: 'Whether classes can be added later without retraining the base network.' })
  @Column({ type: 'boolean', default: false })
  expandable!: boolean;

  @Field(() => Float, { description: 'Validation accuracy at which training promotes its best candidate.' })
  @Column({ type: 'double precision', default: 0.9 })
  targetAccuracy!: number;

  @Field(() => Float, {
    description: 'Precision each class must reach on held-out images at its threshold; answers below it are unsure.',
  })
  @Column({ type: 'double precision', default: 0.95 })
  targetPrecision!: number;

  @Field(() => Boolean, {
    description: 'Keep classified images whose answer was unsure (not accepted) for review, up to keepUncertainCap.',
  })
  @Column({ type: 'boolean', default: false })
  keepUncertain!: boolean;

  @Field(() => Int, { description: 'Most unsure images kept and waiting for review at once.' })
  @Column({ type: 'int', default: 500 })
  keepUncertainCap!: number;

  @Field(() => Int, { description: 'Days an unsure image waits for review before it is deleted.' })
  @Column({ type: 'int', default: 30 })
  keepUncertainDays!: number;

  /** Seed of the train/validation/test split, fixed at creation so the split is reproducible. */
  @Column({ type: 'int' })
  splitSeed!: number;

  @Column({ type: 'text' })
  sampleBlobKey!: string;

  @Column({ type: 'uuid', nullable: true })
  activeCandidateId!: string | null;

  @Field(() => Boolean, {
    description: "The served network's validation accuracy was below the target accuracy when it was promoted.",
  })
  @Column({ type: 'boolean', default: false })
  underTarget!: boolean;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  trainedAt!: Date | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date)
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
