import {
  Arg,
  Args,
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
import { PageArgs, Paginated } from '../pagination';
import { Model } from '../../models/model.entity';
import { CreateModelInput, UpdateModelInput } from '../../models/model.inputs';

const ModelPage = Paginated(Model);

@UseMiddleware(MalformedIds)
@Resolver(() => Model)
export class ModelResolver {
  @Authorized(Access.USER)
  @Query(() => ModelPage, { description: 'Your models, newest first. Admins may pass all: true.' })
  models(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('all', () => Boolean, { defaultValue: false }) all: boolean,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.models.list(userOf(ctx), page, all);
  }

  @Authorized(Access.USER)
  @Query(() => Model)
  model(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Model> {
    return ctx.services.models.get(userOf(ctx), id);
  }

  @Authorized(Access.USER)
  @Mutation(() => Model)
  createModel(@Arg('input', () => CreateModelInput) input: CreateModelInput, @Ctx() ctx: Context): Promise<Model> {
    return ctx.services.models.create(userOf(ctx), input);
  }

  @Authorized(Access.USER)
  @Mutation(() => Model)
  updateModel(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateModelInput) input: UpdateModelInput,
    @Ctx() ctx: Context,
  ): Promise<Model> {
    return ctx.services.models.update(userOf(ctx), id, input);
  }

  @Authorized(Access.USER)
  @Mutation(() => Boolean, { description: 'Deletes the model with every image, feature, artifact and task of it.' })
  deleteModel(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.models.delete(userOf(ctx), id);
  }

  @Authorized(Access.USER)
  @Subscription(() => Model, {
    description: 'The model each time it changes (name, status, promotion).',
    subscribe: ({ args, context, info }: SubscribeResolverData<unknown, { id: string }, Context>) => {
      checkIds(info, args);
      return context.services.models.subscribe(userOf(context), args.id);
    },
  })
  modelUpdated(@Arg('id', () => ID) _id: string, @Root() model: Model): Model {
    return model;
  }
}
