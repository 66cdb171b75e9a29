import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import { MalformedIds } from '../malformed-ids';
import { Access } from '../../auth/access';
import { userOf, type Context } from '../context';
import { Model } from '../../models/model.entity';
import { ReviewQueue } from '../../review/review.types';

@UseMiddleware(MalformedIds)
@Resolver()
export class ReviewResolver {
  @Authorized(Access.USER)
  @Query(() => ReviewQueue, {
    description: 'Kept, unlabelled classified images of the model, most uncertain first, each with the answer it got.',
  })
  reviewQueue(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1 to 100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: "The previous page's endCursor." }) after: string | null,
    @Ctx() ctx: Context,
  ): Promise<ReviewQueue> {
    return ctx.services.review.queue(userOf(ctx), modelId, first, after);
  }

  @Authorized(Access.USER)
  @Mutation(() => Int, {
    description:
      'Labels kept images with a class of their model: they join the training data (with a split, as uploads do). Returns how many.',
  })
  labelImages(
    @Arg('ids', () => [ID]) ids: string[],
    @Arg('classId', () => ID) classId: string,
    @Ctx() ctx: Context,
  ): Promise<number> {
    return ctx.services.review.label(userOf(ctx), ids, classId);
  }

  @Authorized(Access.USER)
  @Mutation(() => Int, { description: 'Deletes kept images and their pixels. Returns how many.' })
  discardImages(@Arg('ids', () => [ID]) ids: string[], @Ctx() ctx: Context): Promise<number> {
    return ctx.services.review.discard(userOf(ctx), ids);
  }

  @Authorized(Access.USER)
  @Mutation(() => Model, {
    description:
      'Whether classified images whose answer was unsure are kept for review (at most cap waiting, each for retentionDays).',
  })
  setKeepUncertain(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('keepUncertain', () => Boolean) keepUncertain: boolean,
    @Arg('cap', () => Int, { nullable: true, description: '1 to 100000; default 500.' }) cap: number | null,
    @Arg('retentionDays', () => Int, { nullable: true, description: '1 to 3650; default 30.' })
    retentionDays: number | null,
    @Ctx() ctx: Context,
  ): Promise<Model> {
    return ctx.services.review.setKeepUncertain(userOf(ctx), modelId, keepUncertain, cap, retentionDays);
  }
}
