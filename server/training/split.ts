import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { modelChanged, type PerceptPubSub } from '../events/pubsub';
import { ModelClass } from '../models/model-class.entity';
import { Model } from '../models/model.entity';
import { artifactPrefix, baseKey, headKey } from '../storage/keys';
import { Task, TaskStatus, TaskType } from '../tasks/task.entity';
import type { TaskQueue } from '../tasks/task-queue';
import { TaskRepository } from '../tasks/task.repository';
import type { SplitModelPayload, SplitOutcome } from '../tasks/task-contract';
import type { TaskContext } from '../tasks/task-types';
import type { Candidate } from './candidate.entity';
import { Head, HeadStatus } from './head.entity';

export type SplitStep = { waitFor: string } | { result: SplitOutcome };

/**
 * The last step of training an expandable model, after promotion: a SPLIT_MODEL task cuts the
 * promoted network into a base and a first head on a runner, and the coordinator records that
 * head as ACTIVE (ordinal 0 on a first split) with every class the network was trained on. Safe to
 * repeat: each pass either queues the split once, waits for it, or records its outcome once.
 */
export function modelSplitter(deps: { db: DataSource; queue: TaskQueue; pubsub: PerceptPubSub }) {
  const { db, queue, pubsub } = deps;

  const tasks = new TaskRepository(db);
  const splitTaskOf = (trainTaskId: string) => tasks.latestChild(TaskType.SPLIT_MODEL, trainTaskId);

  const record = async (model: Model, winner: Candidate, task: Task<TaskType.SPLIT_MODEL>): Promise<SplitOutcome> => {
    const p = task.payload;
    const r = task.result;
    if (!r) throw new Error(`split task ${task.id} succeeded without a result`);
    const classes = (winner.architecture as { classes: number }).classes;
    const recorded = await db.transaction(async (tx) => {
      // The model row lock orders this against expansions and removals of the same model.
      await tx.query('SELECT id FROM models WHERE id = $1 FOR UPDATE', [model.id]);
      if (await tx.existsBy(Head, { id: p.headId })) return false;
      const [{ next }] = await tx.query(
        `SELECT COALESCE(max(ordinal) + 1, 0)::int AS next FROM heads WHERE "modelId" = $1`,
        [model.id],
      );
      // A retrained model's old heads sat on the old base: they retire with it.
      await tx.update(Head, { modelId: model.id, status: HeadStatus.ACTIVE }, { status: HeadStatus.RETIRED });
      await tx.insert(Head, {
        id: p.headId,
        modelId: model.id,
        ordinal: next,
        baseKey: p.baseKey,
        status: HeadStatus.ACTIVE,
        artifactKey: p.headKey,
        accuracy: winner.testAccuracy,
        classIndexes: Array.from({ length: classes }, (_, i) => i),
        noneOutput: false,
        taskId: p.trainTaskId,
        metrics: { split: r },
        activatedAt: new Date(),
      });
      await tx
        .createQueryBuilder()
        .update(ModelClass)
        .set({ headId: p.headId })
        .where('"modelId" = :id AND index < :classes', { id: model.id, classes })
        .execute();
      return true;
    });
    if (recorded) modelChanged(pubsub, model.id);
    return {
      headId: p.headId,
      baseKey: p.baseKey,
      featureSize: r.featureSize,
      maxAbsDiff: r.maxAbsDiff,
      tolerance: r.tolerance,
    };
  };

  return {
    /** Queues the split of the promoted candidate, or records its outcome; a failed split leaves the full network serving. */
    async step(ctx: TaskContext<TaskType.TRAIN_MODEL>, model: Model, winner: Candidate): Promise<SplitStep> {
      const task = await splitTaskOf(ctx.task.id);
      if (!task) {
        const headId = randomUUID();
        const payload: SplitModelPayload = {
          modelId: model.id,
          candidateId: winner.id,
          trainTaskId: ctx.task.id,
          architecture: winner.architecture,
          artifactKey: winner.artifactKey ?? artifactPrefix(model.id, winner.id),
          baseKey: baseKey(model.id, winner.id),
          headId,
          headKey: headKey(model.id, headId),
        };
        const queued = await queue.enqueue({
          type: TaskType.SPLIT_MODEL,
          payload,
          ownerId: ctx.task.ownerId,
          modelId: model.id,
          priority: ctx.task.priority,
        });
        return { waitFor: queued.id };
      }
      if (task.status === TaskStatus.QUEUED || task.status === TaskStatus.RUNNING) return { waitFor: task.id };
      if (task.status === TaskStatus.SUCCEEDED) return { result: await record(model, winner, task) };
      ctx.log.warn({ task: task.id, error: task.error }, 'splitting the promoted network failed');
      return { result: { failed: task.error ?? task.status } };
    },
  };
}
