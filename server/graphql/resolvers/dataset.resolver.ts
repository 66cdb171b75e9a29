import { Arg, Args, Authorized, Ctx, ID, Int, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import { MalformedIds } from '../malformed-ids';
import { Access } from '../../auth/access';
import { userOf, type Context } from '../context';
import type { Page } from '../../db/page';
import { PageArgs, Paginated } from '../pagination';
import { GraphQLUpload, type FileUpload } from '../../uploads/upload';
import { Task } from '../../tasks/task.entity';
import { Dataset, ImportReport } from '../../datasets/dataset.types';
import { Image, ImageSplit } from '../../datasets/image.entity';

const ImagePage = Paginated(Image);

@UseMiddleware(MalformedIds)
@Resolver()
export class DatasetResolver {
  @Authorized(Access.USER)
  @Mutation(() => Task, {
    description:
      'Uploads training data and queues its import: a zip of class folders (optionally inside train/ and test/), ' +
      'or a CSV or JSON manifest of url,label lines. Archive-wide problems are refused here; the finished ' +
      "task's importReport lists every skipped file.",
  })
  importDataset(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('file', () => GraphQLUpload) file: Promise<FileUpload>,
    @Ctx() ctx: Context,
  ): Promise<Task> {
    return ctx.services.datasets.startImport(userOf(ctx), modelId, file);
  }

  @Authorized(Access.USER)
  @Query(() => ImportReport, { nullable: true, description: 'The report of an import task; null until it succeeds.' })
  importReport(@Arg('taskId', () => ID) taskId: string, @Ctx() ctx: Context): Promise<ImportReport | null> {
    return ctx.services.datasets.importReport(userOf(ctx), taskId);
  }

  @Authorized(Access.USER)
  @Query(() => Dataset, { description: "A model's classes with their image counts." })
  dataset(@Arg('modelId', () => ID) modelId: string, @Ctx() ctx: Context): Promise<Dataset> {
    return ctx.services.datasets.dataset(userOf(ctx), modelId);
  }

  @Authorized(Access.USER)
  @Query(() => ImagePage, { description: "A model's images, oldest first, optionally of one class or split." })
  images(
    @Arg('modelId', () => ID) modelId: string,
    @Arg('classId', () => ID, { nullable: true }) classId: string | null,
    @Arg('split', () => ImageSplit, { nullable: true }) split: ImageSplit | null,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: Context,
  ): Promise<Page<Image>> {
    return ctx.services.datasets.images(userOf(ctx), modelId, { classId, split }, page);
  }

  @Authorized(Access.USER)
  @Mutation(() => Boolean, { description: 'Deletes one image and its stored pixels.' })
  deleteImage(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.datasets.deleteImage(userOf(ctx), id);
  }

  @Authorized(Access.USER)
  @Mutation(() => Int, { description: 'Deletes a class and its images; returns how many images were deleted.' })
  deleteClass(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<number> {
    return ctx.services.datasets.deleteClass(userOf(ctx), id);
  }

  @Authorized(Access.USER)
  @Mutation(() => Int, {
    description: "Deletes all of a model's training data (images and classes); returns how many images were deleted.",
  })
  deleteDataset(@Arg('modelId', () => ID) modelId: string, @Ctx() ctx: Context): Promise<number> {
    return ctx.services.datasets.deleteDataset(userOf(ctx), modelId);
  }
}
