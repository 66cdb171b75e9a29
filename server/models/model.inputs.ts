import { Field, Float, InputType } from 'type-graphql';
import { GraphQLUpload, type FileUpload } from '../uploads/upload';

@InputType()
export class CreateModelInput {
  @Field(() => String)
  name!: string;

  @Field(() => GraphQLUpload, {
    description: 'One sample image. Its size and colour set the network input (longest side capped; alpha dropped).',
  })
  sampleImage!: Promise<FileUpload>;

  @Field(() => Boolean, {
    defaultValue: false,
    description: 'Leave room to add classes later without retraining the base.',
  })
  expandable: boolean = false;

  @Field(() => Float, {
    nullable: true,
    description: 'Validation accuracy to reach before promoting (0.5 to 1; default 0.9).',
  })
  targetAccuracy?: number | null;
}

@InputType()
export class UpdateModelInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Float, { nullable: true })
  targetAccuracy?: number | null;
}
