import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { Verification } from './verification';

@ObjectType({ description: 'How the export, reloaded apart from the server, compared with the served network.' })
export class ExportVerification implements Verification {
  @Field(() => Int, {
    description: 'Images both ran on: held-out images, or seeded noise images when the model has none.',
  })
  images!: number;

  @Field(() => Float, { description: 'Share of images on which both gave the same most probable class.' })
  top1Agreement!: number;

  @Field(() => Float, { description: 'Largest difference of any class probability on any image.' })
  maxProbabilityDifference!: number;
}

@ObjectType({ description: 'A zip of the served network in TensorFlow.js layers format, checked by reloading it.' })
export class ModelExport {
  @Field(() => String, { description: 'Signed download URL; it expires like thumbnail URLs (within two hours).' })
  url!: string;

  @Field(() => Int)
  bytes!: number;

  @Field(() => String, { description: 'SHA-256 of the zip, hex.' })
  sha256!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => ExportVerification)
  verification!: ExportVerification;
}
