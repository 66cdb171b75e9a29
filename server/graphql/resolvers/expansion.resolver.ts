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
import { ExpansionRun } from '../../training/expansion.types';
import { Head } from '../../training/head.entity';

@UseMiddleware(MalformedIds)
@Resolver()
export class ExpansionResolver {
  @Authorized(Access.USER)
  @Mutation(() => Task, {
    description:
      'Trains a head for the classes of an expandable model that no head serves yet (imports start this by themselves). The base network is not retrained. Refused when the model is not expandable, not split yet, has no new class with enough images, or is busy.',
  })
  expandModel(@Arg('modelId', () => ID) modelId: string, @Ctx() ctx: Context): Promise<Task> {
    return ctx.services.expansion.expand(userOf(ctx), modelId);
  }

  @Authorized(Access.USER)
  @Mutation(() => Boolean, {
    description:
      'Takes a head out of service: an active one is retired (its classes are no longer predicted), a rejected or retired one is deleted. The last active head cannot be removed.',
  })
  removeHead(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.expansion.removeHead(userOf(ctx), id);
  }

  @Authorized(Access.USER)
  @Query(() => [Head], { description: 'Every head of an expandable model, oldest first, whatever its status.' })
  heads(@Arg('modelId', () => ID) modelId: string, @Ctx() ctx: Context): Promise<Head[]> {
    return ctx.services.expansion.heads(userOf(ctx), modelId);
  }

  @Authorized(Access.USER)
  @Query(() => ExpansionRun, {
    nullable: true,
    description: 'The latest expansion of the model (adding classes), with its heads and outcome.',
  })
  expansionRun(@Arg('modelId', () => ID) modelId: string, @Ctx() ctx: Context): Promise<ExpansionRun | null> {
    return ctx.services.expansion.latestRun(userOf(ctx), modelId);
  }

  @Authorized(Access.USER)
  @Subscription(() => ExpansionRun, {
    description:
      'The current expansion first, then each change: features, per-head epoch, batch, loss, accuracy, the outcome.',
    subscribe: ({ args, context, info }: SubscribeResolverData<unknown, { modelId: string }, Context>) => {
      checkIds(info, args);
      return context.services.expansion.subscribe(userOf(context), args.modelId);
    },
  })
  expansionProgress(@Arg('modelId', () => ID) _modelId: string, @Root() run: ExpansionRun): ExpansionRun {
    return run;
  }
}
