import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Model } from '../models/model.entity';
import { Task } from '../tasks/task.entity';
import { Head } from './head.entity';

export enum ExpansionOutcome {
  QUEUED = 'QUEUED',
  TRAINING = 'TRAINING',
  /** The new head set serves; the heads it replaced are RETIRED. */
  ACTIVATED = 'ACTIVATED',
  /** Under the model's target: the heads are REJECTED (see rejectedReason) and the old set serves on. */
  REJECTED = 'REJECTED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(ExpansionOutcome, { name: 'ExpansionOutcome' });

@ObjectType({ description: 'What head training is doing right now.' })
export class ExpansionLive {
  @Field(() => String, { description: 'loading, features, training, evaluating.' }) phase!: string;
  @Field(() => Int, { nullable: true, description: 'Features computed so far (only images not yet cached).' })
  done?: number | null;
  @Field(() => Int, { nullable: true }) total?: number | null;
  @Field(() => Int, { nullable: true, description: '1-based head being trained.' }) head?: number | null;
  @Field(() => Int, { nullable: true }) heads?: number | null;
  @Field(() => Int, { nullable: true }) epoch?: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Most epochs of the head being trained (early stopping may end it sooner).',
  })
  epochs?: number | null;
  @Field(() => Int, { nullable: true }) batch?: number | null;
  @Field(() => Int, { nullable: true }) batches?: number | null;
  @Field(() => Float, { nullable: true }) loss?: number | null;
  @Field(() => Float, { nullable: true }) accuracy?: number | null;
  @Field(() => Float, { nullable: true }) imagesPerSecond?: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Seconds of head training left at most, at the current pace (early stopping may end it sooner).',
  })
  etaSeconds?: number | null;
}

@ObjectType({
  description: 'Adding classes to an expandable model: a new head and none-aware copies of the active ones.',
})
export class ExpansionRun {
  @Field(() => Model) model!: Model;
  @Field(() => Task, { description: 'The EXPAND_MODEL task.' }) task!: Task;
  @Field(() => ExpansionOutcome) outcome!: ExpansionOutcome;
  @Field(() => [String], { description: 'Classes the new head learns.' }) newClasses!: string[];
  @Field(() => [Head], { description: 'Heads trained by this run (empty until it has planned them).' })
  heads!: Head[];
  @Field(() => ExpansionLive, { nullable: true }) live!: ExpansionLive | null;
  @Field(() => Float, { nullable: true, description: 'Held-out accuracy of the new head set over all its classes.' })
  accuracy!: number | null;
  @Field(() => Float, { nullable: true }) oldClassesAccuracy!: number | null;
  @Field(() => Float, { nullable: true }) newClassesAccuracy!: number | null;
  @Field(() => String, { nullable: true, description: 'test, or validation when there are no test images.' })
  evaluatedOn!: string | null;
  @Field(() => Float, { description: 'The accuracy the set had to reach to be activated.' }) targetAccuracy!: number;
  @Field(() => String, { nullable: true }) rejectedReason!: string | null;
}
