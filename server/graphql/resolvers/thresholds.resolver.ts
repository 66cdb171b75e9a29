import { Arg, Authorized, Ctx, Float, ID, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import { MalformedIds } from '../malformed-ids';
import { Access } from '../../auth/access';
import { userOf, type Context } from '../context';
import { ClassThreshold } from '../../classification/thresholds.types';

@UseMiddleware(MalformedIds)
@Resolver()
export class ThresholdsResolver {
  @Authorized(Access.USER)
  @Query(() => [ClassThreshold], {
    description: "Each class's confidence threshold, chosen at promotion for the model's target precision.",
  })
  classThresholds(@Arg('modelId', () => ID) modelId: string, @Ctx() ctx: Context): Promise<ClassThreshold[]> {
    return ctx.services.thresholds.list(userOf(ctx), modelId);
  }

  @Authorized(Access.USER)
  @Mutation(() => [ClassThreshold], {
    description:
      "Sets the precision classes must reach on held-out images (0.5 to 0.999; default 0.95) and chooses every class's threshold again from the served network's held-out answers (manual ones included).",
  })
  setTargetPrecision(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('targetPrecision', () => Float) targetPrecision: number,
    @Ctx() ctx: Context,
  ): Promise<ClassThreshold[]> {
    return ctx.services.thresholds.setTargetPrecision(userOf(ctx), modelId, targetPrecision);
  }

  @Authorized(Access.USER)
  @Mutation(() => ClassThreshold, {
    description: "Sets one class's threshold by hand (0 to 1); the next promotion or target change chooses it again.",
  })
  setClassThreshold(
    @Arg('classId', () => ID) classId: string,
    @Arg('threshold', () => Float) threshold: number,
    @Ctx() ctx: Context,
  ): Promise<ClassThreshold> {
    return ctx.services.thresholds.setClassThreshold(userOf(ctx), classId, threshold);
  }
}
