import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Model } from '../models/model.entity';
import { Task } from '../tasks/task.entity';
import { CandidateStatus } from './candidate.entity';

@InputType()
export class TrainModelInput {
  @Field(() => Int, { defaultValue: 3, description: 'Candidate networks to try, 1 to 6.' })
  candidates: number = 3;

  @Field(() => Int, {
    nullable: true,
    description:
      'Most epochs any candidate trains. Left out: planned from the data, 60 for a hundred training images down to 25 from twenty thousand up (small sets need more passes); 15 where a long budget on large data buys deeper networks, which stop improving sooner. Within it the time budget may shorten the run, and a candidate stops early once it no longer improves.',
  })
  maxEpochs?: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Wall-time budget in minutes; the best candidate so far is promoted when it runs out, or earlier when no candidate has time left for another whole epoch.',
  })
  maxMinutes?: number | null;

  @Field(() => Int, { defaultValue: 2, description: 'Epochs per round; weak candidates are pruned between rounds.' })
  roundEpochs: number = 2;

  @Field(() => Float, {
    defaultValue: 0.1,
    description:
      'Prune a candidate whose validation accuracy trails the best by more than this (and by more than chance on the validation images allows).',
  })
  pruneGap: number = 0.1;

  @Field(() => Boolean, {
    defaultValue: false,
    description:
      "Promote as soon as the best candidate reaches the model's target accuracy. By default a run trains its candidates until they stop improving, reach maxEpochs or the budget ends, and promotes the best; the target then only flags a model under target.",
  })
  stopAtTarget: boolean = false;
}

@ObjectType()
export class EpochMetricsView {
  @Field(() => Int) epoch!: number;
  @Field(() => Float) loss!: number;
  @Field(() => Float) accuracy!: number;
  @Field(() => Float, { nullable: true }) valLoss?: number | null;
  @Field(() => Float, { nullable: true }) valAccuracy?: number | null;
  @Field(() => Float) imagesPerSecond!: number;
  @Field(() => Float) seconds!: number;
}

@ObjectType({ description: 'What a training candidate is doing right now.' })
export class CandidateLive {
  @Field(() => String) phase!: string;
  @Field(() => Int, { nullable: true }) epoch?: number | null;
  @Field(() => Int, { nullable: true }) batch?: number | null;
  @Field(() => Int, { nullable: true }) batches?: number | null;
  @Field(() => Float, { nullable: true }) loss?: number | null;
  @Field(() => Float, { nullable: true }) accuracy?: number | null;
  @Field(() => Float, { nullable: true }) imagesPerSecond?: number | null;
}

@ObjectType()
export class CandidateState {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) family!: string;
  @Field(() => Int, { description: 'Trainable weights.' }) params!: number;
  @Field(() => CandidateStatus) status!: CandidateStatus;
  @Field(() => Int) epochsDone!: number;
  @Field(() => Float, { nullable: true, description: 'Highest validation accuracy of any epoch.' })
  bestValAccuracy!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'Validation accuracy of the weights as they stand (mean of the last three epochs): what selection uses.',
  })
  validationAccuracy!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Half-width of the 95% interval around validationAccuracy: on few validation images it is wide.',
  })
  validationMargin!: number | null;
  @Field(() => Int, { description: 'Validation images behind the figures (0 before the first epoch).' })
  validationImages!: number;
  @Field(() => Float, { nullable: true }) testAccuracy!: number | null;
  @Field(() => String, { nullable: true }) prunedReason!: string | null;
  @Field(() => [EpochMetricsView]) history!: EpochMetricsView[];
  @Field(() => CandidateLive, { nullable: true }) live!: CandidateLive | null;
}

@ObjectType()
export class TrainingRun {
  @Field(() => Model) model!: Model;
  @Field(() => Task) task!: Task;
  @Field(() => [CandidateState]) candidates!: CandidateState[];
  @Field(() => Int) maxEpochs!: number;
  @Field(() => Boolean, { description: 'The run promotes as soon as the target accuracy is reached.' })
  stopAtTarget!: boolean;
  @Field(() => String, {
    nullable: true,
    description: 'Why the promoted candidate was chosen, and how sure that choice is; null until one is.',
  })
  selection!: string | null;
  @Field(() => Float, { nullable: true, description: 'Estimated seconds left (budget-capped); null when unknown.' })
  etaSeconds!: number | null;
}

@ObjectType()
export class ClassMetricsView {
  @Field(() => String) className!: string;
  @Field(() => Float) precision!: number;
  @Field(() => Float, { description: 'The per-class accuracy.' }) recall!: number;
  @Field(() => Float) f1!: number;
  @Field(() => Int) support!: number;
}

@ObjectType({ description: 'How the served network scored on held-out images when it was promoted.' })
export class ModelEvaluation {
  @Field(() => ID) candidateId!: string;
  @Field(() => String) networkName!: string;
  @Field(() => [String], {
    description:
      'The networks that answer, by name: the promoted one, and any served together with it (an ensemble: the mean of their probabilities).',
  })
  networks!: string[];
  @Field(() => String, { description: 'test, or validation when the dataset had no test images.' })
  evaluatedOn!: string;
  @Field(() => Int) count!: number;
  @Field(() => Float) accuracy!: number;
  @Field(() => [ClassMetricsView]) perClass!: ClassMetricsView[];
  @Field(() => [String], { description: 'Row and column labels of the confusion matrix.' }) classNames!: string[];
  @Field(() => [[Int]], { description: 'confusion[true][predicted] = images.' }) confusion!: number[][];
}
