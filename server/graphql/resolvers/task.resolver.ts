import { GraphQLJSON } from 'graphql-scalars';
import {
  Arg,
  Args,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
  type SubscribeResolverData,
  UseMiddleware,
} from 'type-graphql';
import { checkIds, MalformedIds } from '../malformed-ids';
import { Access } from '../../auth/access';
import { userOf, type Context } from '../context';
import { PageArgs, Paginated } from '../pagination';
import { Task, TaskType } from '../../tasks/task.entity';
import { publicPayload, publicResult } from '../../tasks/task.presenter';
import { TaskFilter, UpdateTaskInput } from '../../tasks/task.inputs';

const TaskPage = Paginated(Task);

@UseMiddleware(MalformedIds)
@Resolver(() => Task)
export class TaskResolver {
  @Authorized(Access.USER)
  @Query(() => TaskPage, { description: 'Your tasks, newest first; admins see every task and may filter by owner.' })
  tasks(@Args(() => TaskFilter) filter: TaskFilter, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.tasks.list(userOf(ctx), filter, page);
  }

  @Authorized(Access.USER, Access.CLASSIFY)
  @Query(() => Task)
  task(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Task> {
    return ctx.services.tasks.get(userOf(ctx), id);
  }

  @Authorized(Access.USER)
  @Mutation(() => Task, {
    description: 'A queued task is cancelled at once; a running one is stopped by its runner within seconds.',
  })
  cancelTask(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Task> {
    return ctx.services.tasks.cancel(userOf(ctx), id);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Task, { description: 'Cancel, retry, requeue, or change the priority of any task.' })
  updateTask(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateTaskInput) input: UpdateTaskInput,
    @Ctx() ctx: Context,
  ): Promise<Task> {
    return ctx.services.tasks.update(userOf(ctx), id, input);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Task, {
    description: 'Diagnostics: queue a task that sleeps on a runner (and fails when asked), to check the pool.',
  })
  createDiagnosticTask(
    @Arg('sleepMs', () => Int, { defaultValue: 1000 }) sleepMs: number,
    @Arg('fail', () => String, { nullable: true }) fail: string | null,
    @Ctx() ctx: Context,
  ): Promise<Task> {
    const who = userOf(ctx);
    return ctx.services.tasks.enqueue({
      type: TaskType.NOOP,
      payload: { sleepMs: Math.max(0, Math.min(sleepMs, 600_000)), ...(fail ? { fail } : {}) },
      ownerId: who.userId,
      modelId: null,
    });
  }

  @Authorized(Access.USER, Access.CLASSIFY)
  @Subscription(() => Task, {
    description: 'The task now, then each time its status or progress changes.',
    subscribe: ({ args, context, info }: SubscribeResolverData<unknown, { id: string }, Context>) => {
      checkIds(info, args);
      return context.services.tasks.subscribeOne(userOf(context), args.id);
    },
  })
  taskUpdated(@Arg('id', () => ID) _id: string, @Root() task: Task): Task {
    return task;
  }

  @Authorized(Access.USER)
  @Subscription(() => Task, {
    description: 'Every change of a task you can see (admins: all tasks).',
    subscribe: ({ context }: SubscribeResolverData<unknown, object, Context>) =>
      context.services.tasks.subscribeAll(userOf(context)),
  })
  tasksChanged(@Root() task: Task): Task {
    return task;
  }

  @FieldResolver(() => GraphQLJSON, { description: 'What the task was asked to do (without server internals).' })
  payload(@Root() task: Task): Record<string, unknown> {
    return publicPayload(task);
  }

  @FieldResolver(() => GraphQLJSON, {
    nullable: true,
    description: 'What a finished task produced (without server internals).',
  })
  result(@Root() task: Task): Record<string, unknown> | null {
    return publicResult(task);
  }
}
