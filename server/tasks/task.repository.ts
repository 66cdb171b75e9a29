import type { DataSource, EntityManager } from 'typeorm';
import { isUuid } from '../db/ids';
import { isTask, Task, TaskStatus, TaskType } from './task.entity';

/** The payload field that names a child task's coordinator. */
const PARENT_FIELD = {
  [TaskType.TRAIN_CANDIDATE]: 'trainTaskId',
  [TaskType.SPLIT_MODEL]: 'trainTaskId',
  [TaskType.TRAIN_HEAD]: 'expandTaskId',
} as const;
export type ChildTaskType = keyof typeof PARENT_FIELD;

const LIVE = [TaskStatus.QUEUED, TaskStatus.RUNNING];

/**
 * Reads of the tasks table for the other domains (coordinators, imports, expansions): they ask
 * here rather than query the table themselves. Changes of state go through TaskQueue, which
 * fences them and announces them.
 */
export class TaskRepository {
  constructor(private readonly db: DataSource) {}

  /** How many tasks there are of each type and status (the metrics endpoint). */
  async countsByTypeAndStatus(): Promise<{ type: string; status: string; n: number }[]> {
    return this.db.query(`SELECT type, status, count(*)::int AS n FROM tasks GROUP BY type, status`);
  }

  async find(id: string): Promise<Task | null> {
    return isUuid(id) ? this.db.getRepository(Task).findOneBy({ id }) : null;
  }

  /** The tasks a coordinator queued of one type, oldest first (optionally only those in `status`). */
  async children<T extends ChildTaskType>(type: T, parentId: string, status?: TaskStatus): Promise<Task<T>[]> {
    const qb = this.db
      .getRepository(Task)
      .createQueryBuilder('t')
      .where(`t.type = :type AND t.payload->>'${PARENT_FIELD[type]}' = :parentId`, { type, parentId })
      .orderBy('t.createdAt', 'ASC');
    if (status) qb.andWhere('t.status = :status', { status });
    return (await qb.getMany()).filter((t) => isTask(t, type));
  }

  /** The latest task of `type` a coordinator queued, or null. */
  async latestChild<T extends ChildTaskType>(type: T, parentId: string): Promise<Task<T> | null> {
    const task = await this.db
      .getRepository(Task)
      .createQueryBuilder('t')
      .where(`t.type = :type AND t.payload->>'${PARENT_FIELD[type]}' = :parentId`, { type, parentId })
      .orderBy('t.createdAt', 'DESC')
      .getOne();
    return task && isTask(task, type) ? task : null;
  }

  /** The latest task of `type` for a model, or null. */
  async latestOfModel<T extends TaskType>(modelId: string, type: T): Promise<Task<T> | null> {
    const task = await this.db.getRepository(Task).findOne({ where: { modelId, type }, order: { createdAt: 'DESC' } });
    return task && isTask(task, type) ? task : null;
  }

  /** The task when it is of `type`, else null. */
  async findOf<T extends TaskType>(id: string, type: T): Promise<Task<T> | null> {
    const task = await this.find(id);
    return task && isTask(task, type) ? task : null;
  }

  /** A queued or running task of one of `types` for a model (inside `tx` when given), or null. */
  async liveOfModel(modelId: string, types: TaskType[], tx: EntityManager = this.db.manager): Promise<Task | null> {
    return tx
      .getRepository(Task)
      .createQueryBuilder('t')
      .where('t.modelId = :modelId AND t.type IN (:...types) AND t.status IN (:...live)', {
        modelId,
        types,
        live: LIVE,
      })
      .getOne();
  }

  /** Upload files that queued or running imports still need. */
  async pendingUploadPaths(): Promise<Set<string>> {
    const rows: { path: string }[] = await this.db.query(
      `SELECT payload->>'uploadPath' AS path FROM tasks WHERE type = 'IMPORT_DATASET' AND status IN ('QUEUED', 'RUNNING')`,
    );
    return new Set(rows.map((r) => r.path));
  }
}
