import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { TaskStatus, TaskType } from './task.entity';

@ArgsType()
export class TaskFilter {
  @Field(() => TaskStatus, { nullable: true })
  status?: TaskStatus | null;

  @Field(() => TaskType, { nullable: true })
  type?: TaskType | null;

  @Field(() => ID, { nullable: true })
  modelId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Admins only: tasks of this user.' })
  ownerId?: string | null;
}

@InputType()
export class UpdateTaskInput {
  @Field(() => TaskStatus, {
    nullable: true,
    description:
      'CANCELLED (a queued or running task), QUEUED (retry a failed/cancelled one, or requeue a running one).',
  })
  status?: TaskStatus | null;

  @Field(() => Int, { nullable: true, description: 'Higher runs first.' })
  priority?: number | null;
}
