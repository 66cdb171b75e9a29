import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { TaskType } from '../tasks/task.entity';

@ObjectType({ description: 'A task attempt handed to a remote runner. Report on it with its taskId and attempt.' })
export class RunnerAssignment {
  @Field(() => ID)
  taskId!: string;

  @Field(() => Int)
  attempt!: number;

  @Field(() => TaskType)
  type!: TaskType;

  @Field(() => GraphQLJSON)
  payload!: Record<string, unknown>;
}

@InputType()
export class RunnerReportInput {
  @Field(() => ID)
  runnerId!: string;

  @Field(() => ID)
  taskId!: string;

  @Field(() => Int)
  attempt!: number;
}
