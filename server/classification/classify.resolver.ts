import { Arg, Authorized, Ctx, ID, Int, Mutation, Resolver, UseMiddleware } from 'type-graphql';
import { Access } from '../auth/access';
import { userOf, type Context } from '../graphql/context';
import { RateLimit } from '../graphql/rate-limit';
import { Classification, ImageInput } from './classify.types';

@Resolver()
export class ClassifyResolver {
  @Authorized(Access.USER, Access.CLASSIFY)
  @UseMiddleware(RateLimit('classify'))
  @Mutation(() => Classification, {
    description:
      'Classifies one image with the served network: top-k classes with probabilities. The image is not kept unless keep is true.',
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
}
