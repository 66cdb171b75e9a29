import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../auth/principal';
import { accessibleTask, canSeeTask, listScope } from '../auth/access';
import { Role } from '../auth/user.entity';
import { BadUserInputError } from '../errors';
import { checkPage, toPage, type Page, type PageRequest } from '../db/page';
import type { PerceptPubSub } from '../events/pubsub';
import { isUuid } from '../db/ids';
import { Task, TaskStatus, TaskType } from './task.entity';
import type { EnqueueInput, TaskQueue } from './task-queue';
import { UNAVAILABLE_TASK_TYPES } from './task-registry';
import type { TaskFilter } from './task.inputs';
import { taskKey, type TaskFeed } from './task-feed';

const ALLOWED =
  'Allowed changes: QUEUED or RUNNING → CANCELLED; RUNNING → QUEUED (requeue); FAILED or CANCELLED → QUEUED (retry).';

/** Task types whose payload and result are user data, purged after the retention period. */
const PURGED_TYPES = [TaskType.IMPORT_DATASET, TaskType.CLASSIFY_BATCH, TaskType.NOOP];

/** What users and admins see and do with tasks; the queue mechanics live in TaskQueue. */
export class TaskService {
  constructor(
    private readonly db: DataSource,
    readonly queue: TaskQueue,
    private readonly pubsub: PerceptPubSub,
    private readonly feed: TaskFeed,
  ) {}

  async enqueue<T extends TaskType>(input: EnqueueInput<T>): Promise<Task> {
    if (UNAVAILABLE_TASK_TYPES.has(input.type))
      throw new BadUserInputError(`${input.type} tasks are not available in this version.`);
    return this.queue.enqueue(input);
  }

  async list(who: UserPrincipal, filter: TaskFilter, page: PageRequest): Promise<Page<Task>> {
    const p = checkPage(page);
    const qb = this.db
      .getRepository(Task)
      .createQueryBuilder('t')
      .orderBy('t.createdAt', 'DESC')
      .addOrderBy('t.id')
      .skip(p.skip)
      .take(p.take);
    const owner = listScope(who, { all: true, ownerId: filter.ownerId });
    if (owner !== null) qb.andWhere('t.ownerId = :owner', { owner });
    if (filter.status) qb.andWhere('t.status = :status', { status: filter.status });
    if (filter.type) qb.andWhere('t.type = :type', { type: filter.type });
    if (filter.modelId) qb.andWhere('t.modelId = :model', { model: filter.modelId });
    const [items, total] = await qb.getManyAndCount();
    return toPage(items, total, p);
  }

  async get(who: UserPrincipal, id: string): Promise<Task> {
    const task = isUuid(id) ? await this.db.getRepository(Task).findOneBy({ id }) : null;
    return accessibleTask(who, task, 'No such task.');
  }

  /** Owners and admins: a queued task is cancelled at once, a running one is asked to stop. */
  async cancel(who: UserPrincipal, id: string): Promise<Task> {
    await this.get(who, id);
    return this.change(id, TaskStatus.CANCELLED);
  }

  async update(
    who: UserPrincipal,
    id: string,
    input: { status?: TaskStatus | null; priority?: number | null },
  ): Promise<Task> {
    await this.get(who, id);
    if (input.priority != null) {
      if (!Number.isInteger(input.priority) || Math.abs(input.priority) > 1_000_000) {
        throw new BadUserInputError('priority must be a whole number between -1000000 and 1000000.', {
          field: 'priority',
        });
      }
      await this.db.getRepository(Task).update({ id }, { priority: input.priority });
    }
    return input.status ? this.change(id, input.status) : this.changed(id);
  }

  /**
   * Retention: finished imports' and batch classifications' payloads, progress and results (file
   * names, URLs, predictions about a user's images) are emptied `days` after they finished; the rows
   * stay, so lists and counts do not change. Training tasks keep theirs: they are the model's record
   * (the curves and evaluation its page shows), not a user's data, and go when the model goes.
   */
  async purgeExpired(days: number, now = new Date()): Promise<number> {
    const [, purged] = (await this.db.query(
      `UPDATE tasks SET payload = '{}', progress = NULL, result = NULL
       WHERE status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND type = ANY($1::task_type[])
         AND "finishedAt" < $2::timestamptz - make_interval(days => $3)
         AND (payload <> '{}' OR progress IS NOT NULL OR result IS NOT NULL)`,
      [PURGED_TYPES, now, days],
    )) as [unknown, number];
    return purged;
  }

  /** The task now, then each change; silent (not NOT_FOUND) for a task the caller may not see. */
  subscribeOne(who: UserPrincipal, id: string): AsyncIterable<Task> {
    const accept = (t: Task) => canSeeTask(who, t);
    return this.feed.subscribe(taskKey.task(id), { accept, initial: isUuid(id) ? [id] : [] });
  }

  /** Every change of the caller's tasks (an admin's: everyone's), by key: no read per subscriber. */
  subscribeAll(who: UserPrincipal): AsyncIterable<Task> {
    return this.feed.subscribe(who.role === Role.ADMIN ? taskKey.all : taskKey.owner(who.userId), {
      accept: (t: Task) => canSeeTask(who, t),
    });
  }

  private async change(id: string, to: TaskStatus): Promise<Task> {
    const transitions: Partial<Record<TaskStatus, (id: string) => Promise<boolean>>> = {
      [TaskStatus.CANCELLED]: (t) => this.queue.cancel(t),
      [TaskStatus.QUEUED]: (t) => this.queue.requeue(t),
    };
    const transition = transitions[to];
    if (!transition) throw new BadUserInputError(`A task cannot be set to ${to}. ${ALLOWED}`, { field: 'status' });
    if (!(await transition(id))) {
      const current = await this.db.getRepository(Task).findOneByOrFail({ id });
      if (current.status === to) return current;
      throw new BadUserInputError(`A ${current.status} task cannot become ${to}. ${ALLOWED}`, { field: 'status' });
    }
    // The queue announced the change.
    return this.db.getRepository(Task).findOneByOrFail({ id });
  }

  private async changed(id: string): Promise<Task> {
    this.pubsub.publish('TASK_CHANGED', id);
    return this.db.getRepository(Task).findOneByOrFail({ id });
  }
}
