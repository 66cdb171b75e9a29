import {
  Arg,
  Authorized,
  Ctx,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
  type SubscribeResolverData,
  UseMiddleware,
} from 'type-graphql';
import { checkIds, MalformedIds } from '../malformed-ids';
import { Access } from '../../auth/access';
import { userOf, type Context } from '../context';
import { Task } from '../../tasks/task.entity';
import { ModelEvaluation, TrainingRun, TrainModelInput } from '../../training/training.types';

@UseMiddleware(MalformedIds)
@Resolver()
export class TrainingResolver {
  @Authorized(Access.USER)
  @Mutation(() => Task, {
    description:
      'Generates candidate networks and trains them on the runner pool; the best is promoted. Refused while the data is not ready.',
  })
  trainModel(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('input', () => TrainModelInput, { defaultValue: new TrainModelInput() }) input: TrainModelInput,
    @Ctx() ctx: Context,
  ): Promise<Task> {
    return ctx.services.training.start(userOf(ctx), modelId, input);
  }

  @Authorized(Access.USER)
  @Query(() => TrainingRun, {
    nullable: true,
    description: 'The latest training run of the model, with every candidate.',
  })
  trainingRun(@Arg('modelId', () => ID) modelId: string, @Ctx() ctx: Context): Promise<TrainingRun | null> {
    return ctx.services.training.latestRun(userOf(ctx), modelId);
  }

  @Authorized(Access.USER)
  @Query(() => ModelEvaluation, {
    nullable: true,
    description: 'Test accuracy, per-class metrics and confusion matrix of the served network.',
  })
  modelEvaluation(@Arg('modelId', () => ID) modelId: string, @Ctx() ctx: Context): Promise<ModelEvaluation | null> {
    return ctx.services.training.evaluation(userOf(ctx), modelId);
  }

  @Authorized(Access.USER)
  @Subscription(() => TrainingRun, {
    description:
      'The current run first, then each change: per-candidate epoch, batch, loss, accuracy, images/s, ETA, pruning, promotion.',
    subscribe: ({ args, context, info }: SubscribeResolverData<unknown, { modelId: string }, Context>) => {
      checkIds(info, args);
      return context.services.training.subscribe(userOf(context), args.modelId);
    },
  })
  trainingProgress(@Arg('modelId', () => ID) _modelId: string, @Root() run: TrainingRun): TrainingRun {
    return run;
  }
}
