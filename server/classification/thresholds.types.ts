import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: "A class's confidence threshold: its answers below it are unsure (accepted: false)." })
export class ClassThreshold {
  @Field(() => ID) classId!: string;
  @Field(() => String) className!: string;
  @Field(() => Int) classIndex!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Null until a network promoted with held-out answers serves the class; then answers are unjudged.',
  })
  threshold!: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'HELD_OUT (from its own held-out answers), POOLED (it had none: all classes pooled) or MANUAL (set by hand).',
  })
  source!: string | null;

  @Field(() => Float, { nullable: true, description: 'Precision of the held-out answers it accepted, when chosen.' })
  heldOutPrecision!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: "Share of the class's held-out images answered right and accepted, when chosen.",
  })
  heldOutRecall!: number | null;
}
