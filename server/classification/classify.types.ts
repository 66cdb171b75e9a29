import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { GraphQLUpload, type FileUpload } from '../uploads/upload';

@InputType({ description: 'Exactly one of file, url or base64.' })
export class ImageInput {
  @Field(() => GraphQLUpload, { nullable: true, description: 'A multipart upload.' })
  file?: Promise<FileUpload> | null;

  @Field(() => String, { nullable: true, description: 'An http(s) URL Percept fetches once.' })
  url?: string | null;

  @Field(() => String, { nullable: true, description: 'The file, base64-encoded (a data: URL is fine).' })
  base64?: string | null;
}

@ObjectType()
export class Prediction {
  @Field(() => String) className!: string;
  @Field(() => Int) classIndex!: number;
  @Field(() => Float) probability!: number;
}

@ObjectType()
export class Classification {
  @Field(() => [Prediction], { description: 'Most probable first.' }) predictions!: Prediction[];
  @Field(() => Boolean, {
    nullable: true,
    description:
      "Whether the top answer cleared its class's threshold (false: unsure). Null when the class has no threshold yet.",
  })
  accepted!: boolean | null;

  @Field(() => Float, { nullable: true, description: "The top class's threshold that decided accepted." })
  threshold!: number | null;

  @Field(() => ID, { description: 'The network that answered.' }) candidateId!: string;
  @Field(() => ID, { nullable: true, description: 'Set when keep was asked: the stored, unlabelled image.' })
  keptImageId!: string | null;
}
