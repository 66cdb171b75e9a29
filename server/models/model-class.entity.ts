import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Model } from './model.entity';

/** A label of a model. `index` is the class's output position, stable for the model's life. */
@ObjectType()
@Entity('model_classes')
@Index(['modelId', 'name'], { unique: true })
@Index(['modelId', 'index'], { unique: true })
export class ModelClass {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  modelId!: string;

  @ManyToOne(() => Model, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'modelId' })
  model?: Model;

  @Field(() => String)
  @Column({ type: 'text' })
  name!: string;

  @Field(() => Int)
  @Column({ type: 'int' })
  index!: number;

  /** For expandable models: the head that outputs this class; null until one does. */
  @Column({ type: 'uuid', nullable: true })
  headId!: string | null;

  /** Answers of this class below it are unsure (server/classification/thresholds.service.ts); null: none chosen yet. */
  @Column({ type: 'double precision', nullable: true })
  threshold!: number | null;

  /** HELD_OUT, POOLED (from the promoted network's held-out answers) or MANUAL (set by the user). */
  @Column({ type: 'text', nullable: true })
  thresholdSource!: string | null;

  /** Precision and recall of the held-out answers the threshold accepted, when it was chosen. */
  @Column({ type: 'double precision', nullable: true })
  heldOutPrecision!: number | null;

  @Column({ type: 'double precision', nullable: true })
  heldOutRecall!: number | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
