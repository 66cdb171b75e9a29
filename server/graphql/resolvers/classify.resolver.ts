import { Arg, Authorized, Ctx, ID, Int, Mutation, Resolver, UseMiddleware } from 'type-graphql';
import { MalformedIds } from '../malformed-ids';
import { Access } from '../../auth/access';
import { userOf, type Context } from '../context';
import { RateLimit } from '../rate-limit';
import { GraphQLUpload, type FileUpload } from '../../uploads/upload';
import { Task } from '../../tasks/task.entity';
import { Classification, ImageInput } from '../../classification/classify.types';

@UseMiddleware(MalformedIds)
@Resolver()
export class ClassifyResolver {
  @Authorized(Access.USER, Access.CLASSIFY)
  @UseMiddleware(RateLimit('classify'))
  @Mutation(() => Classification, {
    description:
      'Classifies one image with the served network: top-k classes with probabilities, and whether the top one cleared its class threshold (accepted). The image is not kept unless keep is true, or the model keeps unsure answers (keepUncertain) and this one was not accepted.',
  })
  classify(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('image', () => ImageInput) image: ImageInput,
    @Arg('topK', () => Int, { defaultValue: 5 }) topK: number,
    @Arg('keep', () => Boolean, { defaultValue: false, description: 'Keep the image as unlabelled data of the model.' })
    keep: boolean,
    @Ctx() ctx: Context,
  ): Promise<Classification> {
    return ctx.services.classify.classify(userOf(ctx), modelId, image, topK, keep);
  }

  @Authorized(Access.USER, Access.CLASSIFY)
  @UseMiddleware(RateLimit('classify'))
  @Mutation(() => Task, {
    description:
      'Classifies every image in a zip as a task: follow it with taskUpdated; its result lists each file with its top-k, accepted and threshold.',
  })
  classifyBatch(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('archive', () => GraphQLUpload) archive: Promise<FileUpload>,
    @Arg('topK', () => Int, { defaultValue: 5 }) topK: number,
    @Ctx() ctx: Context,
  ): Promise<Task> {
    return ctx.services.classify.startBatch(userOf(ctx), modelId, archive, topK);
  }
}
