import { GraphQLJSON } from 'graphql-scalars';
import {
  Arg,
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
import { MalformedIds } from '../malformed-ids';
import { Access } from '../../auth/access';
import { userOf, type Context } from '../context';
import { UnauthenticatedError } from '../../errors';
import { Runner } from '../../runners/runner.entity';
import { RunnerAssignment, RunnerReportInput } from '../../runners/runner.types';
import { TaskType } from '../../tasks/task-type';

function runnerTokenOf(ctx: Context): string {
  if (ctx.principal?.kind !== 'runner') throw new UnauthenticatedError('A runner token is required.');
  return ctx.principal.tokenId;
}

@UseMiddleware(MalformedIds)
@Resolver(() => Runner)
export class RunnerResolver {
  // --- admins ---------------------------------------------------------------------------------

  @Authorized(Access.ADMIN)
  @Query(() => [Runner])
  runners(@Ctx() ctx: Context): Promise<Runner[]> {
    return ctx.services.runners.list();
  }

  @Authorized(Access.ADMIN)
  @FieldResolver(() => TaskType, { nullable: true, description: 'The type of the task it works on (admins).' })
  async currentTaskType(@Root() runner: Runner, @Ctx() ctx: Context): Promise<TaskType | null> {
    if (!runner.currentTaskId) return null;
    const task = await ctx.services.tasks.get(userOf(ctx), runner.currentTaskId).catch(() => null);
    return task?.type ?? null;
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Runner, { description: 'A disabled runner is given no work; its current task finishes.' })
  setRunnerDisabled(
    @Arg('id', () => ID) id: string,
    @Arg('disabled', () => Boolean) disabled: boolean,
    @Ctx() ctx: Context,
  ): Promise<Runner> {
    return ctx.services.runners.setDisabled(id, disabled);
  }

  @Authorized(Access.ADMIN)
  @Mutation(() => Runner, { description: 'Restarts a local runner process; its task is retried.' })
  restartRunner(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Runner> {
    return ctx.services.runners.restart(id);
  }

  @Authorized(Access.ADMIN)
  @Subscription(() => Runner, {
    description: 'Each runner whose status, task or heartbeat changes.',
    subscribe: ({ context }: SubscribeResolverData<unknown, object, Context>) => context.services.runners.subscribe(),
  })
  runnerChanged(@Root() runner: Runner): Runner {
    return runner;
  }

  // --- remote runners (runner tokens) ---------------------------------------------------------

  @Authorized(Access.RUNNER)
  @Mutation(() => Runner, { description: 'A remote runner joins (or rejoins) the pool.' })
  registerRunner(
    @Arg('name', () => String) name: string,
    @Arg('backend', () => String) backend: string,
    @Arg('device', () => String) device: string,
    @Ctx() ctx: Context,
  ): Promise<Runner> {
    return ctx.services.remoteRunners.register(runnerTokenOf(ctx), name, backend, device);
  }

  @Authorized(Access.RUNNER)
  @Mutation(() => [ID], {
    description: 'Keeps the runner and its task lease alive; returns the task ids it must stop.',
  })
  runnerHeartbeat(
    @Arg('runnerId', () => ID) runnerId: string,
    @Arg('taskId', () => ID, { nullable: true }) taskId: string | null,
    @Arg('attempt', () => Int, { nullable: true }) attempt: number | null,
    @Ctx() ctx: Context,
  ): Promise<string[]> {
    const current = taskId && attempt != null ? { taskId, attempt } : null;
    return ctx.services.remoteRunners.heartbeat(runnerTokenOf(ctx), runnerId, current);
  }

  @Authorized(Access.RUNNER)
  @Mutation(() => RunnerAssignment, {
    nullable: true,
    description: 'The most urgent queued task this runner can run, or null.',
  })
  claimTask(@Arg('runnerId', () => ID) runnerId: string, @Ctx() ctx: Context) {
    return ctx.services.remoteRunners.claimWork(runnerTokenOf(ctx), runnerId);
  }

  @Authorized(Access.RUNNER)
  @Mutation(() => Boolean, { description: 'Returns true when the task should stop (cancelled).' })
  reportTaskProgress(
    @Arg('report', () => RunnerReportInput) report: RunnerReportInput,
    @Arg('progress', () => GraphQLJSON) progress: Record<string, unknown>,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.remoteRunners.progress(runnerTokenOf(ctx), report, progress);
  }

  @Authorized(Access.RUNNER)
  @Mutation(() => Boolean)
  completeTask(
    @Arg('report', () => RunnerReportInput) report: RunnerReportInput,
    @Arg('result', () => GraphQLJSON) result: Record<string, unknown>,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.remoteRunners.finish(runnerTokenOf(ctx), report, { result });
  }

  @Authorized(Access.RUNNER)
  @Mutation(() => Boolean)
  failTask(
    @Arg('report', () => RunnerReportInput) report: RunnerReportInput,
    @Arg('error', () => String) error: string,
    @Arg('permanent', () => Boolean, { defaultValue: false }) permanent: boolean,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.remoteRunners.finish(runnerTokenOf(ctx), report, { error, permanent });
  }

  @Authorized(Access.RUNNER)
  @Subscription(() => ID, {
    description: 'Pushes a task id whenever tasks change, so idle remote runners claim at once.',
    subscribe: ({ context }: SubscribeResolverData<unknown, object, Context>) =>
      context.services.remoteRunners.wakeups(),
  })
  runnerWakeup(@Root() taskId: string): string {
    return taskId;
  }
}
