import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { SkipReason } from './import-report';

@ObjectType({ description: 'A class of a model with how many images it holds, per split.' })
export class DatasetClass {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int, { description: "The class's output position in the network." })
  index!: number;

  @Field(() => Int)
  imageCount!: number;

  @Field(() => Int)
  trainCount!: number;

  @Field(() => Int)
  validationCount!: number;

  @Field(() => Int)
  testCount!: number;
}

@ObjectType({ description: "A model's training data at a glance." })
export class Dataset {
  @Field(() => ID)
  modelId!: string;

  @Field(() => Int, { description: 'Labelled images, uploaded or referenced by URL.' })
  imageCount!: number;

  @Field(() => Int, { description: 'Of those, images referenced by URL (fetched when needed, never stored).' })
  urlImageCount!: number;

  @Field(() => [DatasetClass], { description: 'By index.' })
  classes!: DatasetClass[];
}

@ObjectType()
export class SkippedFile {
  @Field(() => String, { description: 'Path in the archive, or the line or item of a manifest.' })
  path!: string;

  @Field(() => SkipReason)
  reason!: SkipReason;

  @Field(() => String)
  detail!: string;
}

@ObjectType()
export class ImportedClass {
  @Field(() => String)
  name!: string;

  @Field(() => Int)
  imported!: number;
}

@ObjectType()
export class SkipCount {
  @Field(() => SkipReason)
  reason!: SkipReason;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'What an import did: images per class, and every skipped file with its reason.' })
export class ImportReport {
  @Field(() => ID)
  taskId!: string;

  @Field(() => String, { description: '"zip" or "manifest".' })
  kind!: string;

  @Field(() => Int)
  filesSeen!: number;

  @Field(() => Int)
  imported!: number;

  @Field(() => Int)
  skipped!: number;

  @Field(() => [ImportedClass])
  classes!: ImportedClass[];

  @Field(() => [SkipCount])
  skippedByReason!: SkipCount[];

  @Field(() => [SkippedFile], { description: 'Up to 50,000; skippedNotListed counts the rest.' })
  skippedFiles!: SkippedFile[];

  @Field(() => Int)
  skippedNotListed!: number;

  @Field(() => Float)
  seconds!: number;

  @Field(() => Float)
  imagesPerSecond!: number;
}
