import { Arg, Authorized, Ctx, ID, Mutation, Resolver, UseMiddleware } from 'type-graphql';
import { MalformedIds } from '../malformed-ids';
import { Access } from '../../auth/access';
import { userOf, type Context } from '../context';
import { GraphQLUpload, type FileUpload } from '../../uploads/upload';
import { Model } from '../../models/model.entity';
import { ModelExport } from '../../exports/export.types';

@UseMiddleware(MalformedIds)
@Resolver()
export class ExportResolver {
  @Authorized(Access.USER)
  @Mutation(() => ModelExport, {
    description:
      'Exports the served network as a zip: TensorFlow.js layers model, labels.json, preprocessing.json, README. ' +
      'The zip is first reloaded apart from the server and run beside the served network on up to 200 held-out ' +
      'images; it is offered only if every top-1 agrees and no probability differs by 1e-4 or more ' +
      '(else EXPORT_UNVERIFIED with the figures). A new export replaces the previous one.',
  })
  exportModel(@Arg('modelId', () => ID) modelId: string, @Ctx() ctx: Context): Promise<ModelExport> {
    return ctx.services.exports.exportModel(userOf(ctx), modelId);
  }

  @Authorized(Access.USER)
  @Mutation(() => Model, {
    description:
      'Creates a ready model from a zip made by exportModel (on this or another Percept server). The zip is ' +
      'checked like a dataset zip, then its files, then it is loaded and run apart from the server; nothing is ' +
      'kept when any check fails.',
  })
  importModel(
    @Arg('file', () => GraphQLUpload) file: Promise<FileUpload>,
    @Arg('name', () => String) name: string,
    @Ctx() ctx: Context,
  ): Promise<Model> {
    return ctx.services.modelImports.importModel(userOf(ctx), file, name);
  }
}
