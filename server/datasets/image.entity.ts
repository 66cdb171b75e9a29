import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Model } from '../models/model.entity';
import { ModelClass } from '../models/model-class.entity';

export enum ImageSplit {
  TRAIN = 'TRAIN',
  VALIDATION = 'VALIDATION',
  TEST = 'TEST',
}
registerEnumType(ImageSplit, { name: 'ImageSplit' });

export enum ImageSource {
  /** Imported from an uploaded zip; pixels kept in the blob store. */
  UPLOAD = 'UPLOAD',
  /** Referenced by URL in a manifest; fetched when needed, never stored. */
  URL = 'URL',
  /** Sent to classify with "keep" asked; unlabelled until the user labels it. */
  CLASSIFIED = 'CLASSIFIED',
}
registerEnumType(ImageSource, { name: 'ImageSource' });

@ObjectType()
@Entity('images')
@Index(['modelId', 'checksum'], { unique: true })
@Index(['modelId', 'classId', 'split'])
@Index('IDX_images_model_shard', ['modelId', 'shardKey'])
export class Image {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  modelId!: string;

  @ManyToOne(() => Model, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'modelId' })
  model?: Model;

  @Field(() => ID, { nullable: true, description: 'Null for an unlabelled image.' })
  @Column({ type: 'uuid', nullable: true })
  classId!: string | null;

  @ManyToOne(() => ModelClass, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'classId' })
  modelClass?: ModelClass | null;

  @Field(() => ImageSource)
  @Column({ type: 'enum', enum: ImageSource, enumName: 'image_source' })
  source!: ImageSource;

  @Field(() => ImageSplit, { nullable: true })
  @Column({ type: 'enum', enum: ImageSplit, enumName: 'image_split', nullable: true })
  split!: ImageSplit | null;

  /** Normalised pixels (the model's input shape) in the blob store; null for URL images. */
  @Column({ type: 'text', nullable: true })
  blobKey!: string | null;

  /** The training shard that holds a copy of the pixels (see datasets/shards.ts); null until sealed. */
  @Column({ type: 'text', nullable: true })
  shardKey!: string | null;

  /** The image's place in its shard. */
  @Column({ type: 'integer', nullable: true })
  shardSlot!: number | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  url!: string | null;

  /**
   * The stored pixels hold no colour: one channel, or three equal ones (normalise.ts isGrey). False
   * where not known (URL images, rows from before it was recorded). Where every training image of
   * a 3-channel model is grey, its networks average the channels first (generate.ts greyContent).
   */
  @Column({ type: 'boolean', default: false })
  grey!: boolean;

  /** SHA-256 of the original file (of `url:<url>` for URL images): a duplicate counts once per model. */
  @Column({ type: 'text' })
  checksum!: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  originalName!: string | null;

  @Field(() => Date)
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  /** A kept classified image: the answer it got, top classes first (class indexes, probabilities). */
  @Column({ type: 'jsonb', nullable: true })
  prediction!: { classIndex: number; probability: number }[] | null;

  /** Top probability minus the second: the review queue shows the smallest first. */
  @Column({ type: 'double precision', nullable: true })
  margin!: number | null;

  /** Why a classified image was kept: KEEP (its sender asked) or UNCERTAIN (keepUncertain). */
  @Column({ type: 'text', nullable: true })
  keptReason!: string | null;

  /** When a kept image was labelled in review ("train again with N new labels" counts them). */
  @Column({ type: 'timestamptz', nullable: true })
  labelledAt!: Date | null;

  /** Not a column: a short-lived signed URL set by the dataset service for whoever asked. */
  @Field(() => String, {
    nullable: true,
    description:
      'PNG of what the network sees, at most 128 px; relative to the API origin, signed for you, valid about an hour. Null for URL images.',
  })
  thumbnailUrl?: string | null;
}
