import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Prediction } from '../classification/classify.types';
import { Image } from '../datasets/image.entity';

@ObjectType({ description: 'A kept, unlabelled classified image with the answer it got.' })
export class ReviewItem {
  @Field(() => Image, { description: 'The image, with its signed thumbnail URL.' }) image!: Image;

  @Field(() => [Prediction], { description: 'Its top classes when it was classified, most probable first.' })
  prediction!: Prediction[];

  @Field(() => Float, {
    nullable: true,
    description:
      'Top probability minus the second: the smaller, the less sure. Null for images kept before it was recorded.',
  })
  margin!: number | null;

  @Field(() => String, { nullable: true, description: 'KEEP (its sender asked) or UNCERTAIN (keepUncertain).' })
  keptReason!: string | null;
}

@ObjectType()
export class ReviewQueue {
  @Field(() => [ReviewItem], { description: 'Most uncertain first (smallest margin).' }) items!: ReviewItem[];
  @Field(() => Int, { description: 'Kept images waiting for a label.' }) totalCount!: number;
  @Field(() => String, { nullable: true, description: 'Pass as after for the next page.' }) endCursor!: string | null;
  @Field(() => Boolean) hasNextPage!: boolean;

  @Field(() => Int, { description: 'Images labelled in review since the served network was trained.' })
  labelledSinceTraining!: number;
}
