import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../auth/principal';
import { BadUserInputError, NotFoundError } from '../errors';
import { END, mapLive } from '../events/live';
import { modelChanged, type PerceptPubSub } from '../events/pubsub';
import { taskKey, type TaskFeed } from '../tasks/task-feed';
import type { Logger } from '../logging/logger';
import { classNamesByIndex, unservedClasses } from '../datasets/image.queries';
import { Model } from '../models/model.entity';
import { isUuid } from '../db/ids';
import type { ModelService } from '../models/model.service';
import type { BlobStore } from '../storage/blob-store';
import { Task, TaskStatus, TaskType } from '../tasks/task.entity';
import type { TaskQueue } from '../tasks/task-queue';
import { TaskRepository } from '../tasks/task.repository';
import type { TrainHeadPayload } from '../tasks/task-contract';
import { ExpansionOutcome, type ExpansionLive, type ExpansionRun } from './expansion.types';
import { Head, HeadStatus } from './head.entity';
import { activeHeads } from './head-set';
import { MIN_IMAGES_PER_CLASS } from './training.service';

/** Adding classes to expandable models, and the heads that serve them. */
export class ExpansionService {
  private readonly tasks: TaskRepository;

  constructor(
    private readonly db: DataSource,
    private readonly models: ModelService,
    private readonly queue: TaskQueue,
    private readonly blobs: BlobStore,
    private readonly pubsub: PerceptPubSub,
    private readonly feed: TaskFeed,
  ) {
    this.tasks = new TaskRepository(db);
  }

  /** expandModel: trains a head for the model's unserved classes. Refused when it cannot start. */
  async expand(who: UserPrincipal, modelId: string): Promise<Task> {
    return this.start(await this.models.get(who, modelId), 'user');
  }

  /**
   * Called when an import succeeds: if it brought classes no head serves to a split expandable
   * model, their head starts training. Anything that stops it is reason to do nothing, not an error.
   */
  async afterImport(modelId: string, log: Logger): Promise<void> {
    const model = await this.db.getRepository(Model).findOneBy({ id: modelId });
    if (!model?.expandable || !model.activeCandidateId) return;
    try {
      const task = await this.start(model, 'import');
      log.info({ modelId, task: task.id }, 'new classes imported: training a head for them');
    } catch (e) {
      if (!(e instanceof BadUserInputError)) throw e;
      log.info({ modelId, reason: e.message }, 'imported data does not start an expansion');
    }
  }

  private async start(model: Model, trigger: 'import' | 'user'): Promise<Task> {
    if (!model.expandable) {
      throw new BadUserInputError(
        'The model is not expandable: classes can be added only to a model created with expandable: true.',
      );
    }
    return this.db.transaction(async (tx) => {
      // Serialises starts: two imports finishing at once queue one expansion, not two.
      await tx.query('SELECT id FROM models WHERE id = $1 FOR UPDATE', [model.id]);
      // The import that calls afterImport is still RUNNING; only the user is told to wait for one.
      const types = [
        TaskType.EXPAND_MODEL,
        TaskType.TRAIN_MODEL,
        ...(trigger === 'user' ? [TaskType.IMPORT_DATASET] : []),
      ];
      const busy = await this.tasks.liveOfModel(model.id, types, tx);
      if (busy) {
        const what =
          busy.type === TaskType.EXPAND_MODEL
            ? 'A head is already training for this model'
            : busy.type === TaskType.TRAIN_MODEL
              ? 'The model is training'
              : 'Data is still being imported into the model';
        throw new BadUserInputError(`${what} (task ${busy.id}); wait for it or cancel it.`, { taskId: busy.id });
      }
      const fresh = (await tx.findOneBy(Model, { id: model.id }))!;
      if ((await activeHeads(tx, fresh)).length === 0) {
        throw new BadUserInputError(
          'The model has not been split into a base and heads yet: that happens when training promotes its best network.',
        );
      }
      const unserved = await unservedClasses(tx, model.id);
      if (!unserved.some((c) => c.train >= MIN_IMAGES_PER_CLASS)) {
        const thin = unserved.map((c) => `${c.name} (${c.train})`).join(', ');
        throw new BadUserInputError(
          thin
            ? `New classes need at least ${MIN_IMAGES_PER_CLASS} training images each; too few in: ${thin}.`
            : 'The model has no new classes: upload a zip with a folder of images for each class to add.',
        );
      }
      return this.queue.enqueue(
        {
          type: TaskType.EXPAND_MODEL,
          payload: { modelId: model.id, trigger },
          ownerId: model.ownerId,
          modelId: model.id,
          maxAttempts: 5,
        },
        tx,
      );
    });
  }

  /**
   * Takes a head out of service. An active head is RETIRED (kept for the record; its classes are
   * no longer predicted and are not learned again unless asked); a rejected or retired one is
   * deleted with its files. The last active head cannot go: the model would have nothing to serve.
   */
  async removeHead(who: UserPrincipal, id: string): Promise<boolean> {
    const found = isUuid(id) ? await this.db.getRepository(Head).findOneBy({ id }) : null;
    if (!found) throw new NotFoundError('No such head.');
    await this.models.get(who, found.modelId).catch(() => {
      throw new NotFoundError('No such head.');
    });
    const deleted = await this.db.transaction(async (tx) => {
      await tx.query('SELECT id FROM models WHERE id = $1 FOR UPDATE', [found.modelId]);
      const head = await tx.findOneBy(Head, { id });
      if (!head) throw new NotFoundError('No such head.');
      if (head.status === HeadStatus.TRAINING) {
        throw new BadUserInputError('The head is still training: cancel its expansion task instead.', {
          taskId: head.taskId,
        });
      }
      if (head.status !== HeadStatus.ACTIVE) {
        await tx.delete(Head, { id: head.id });
        return head;
      }
      const model = (await tx.findOneBy(Model, { id: head.modelId }))!;
      const active = await activeHeads(tx, model);
      if (active.length <= 1 && active[0]?.id === head.id) {
        throw new BadUserInputError(
          'This is the only active head of the model; it cannot be removed. Delete classes or the model instead.',
        );
      }
      await tx.update(
        Head,
        { id: head.id },
        { status: HeadStatus.RETIRED, metrics: { ...head.metrics, removedAt: new Date() } },
      );
      return null;
    });
    // Rows first: a crash in between leaves unreferenced blobs, never a row without its files.
    if (deleted?.artifactKey) await this.blobs.deletePrefix(`${deleted.artifactKey}/`);
    if (!deleted) modelChanged(this.pubsub, found.modelId);
    return true;
  }

  /** Every head of a model, oldest first, with the names of the classes each outputs. */
  async heads(who: UserPrincipal, modelId: string): Promise<Head[]> {
    const model = await this.models.get(who, modelId);
    const heads = await this.db.getRepository(Head).find({ where: { modelId: model.id }, order: { ordinal: 'ASC' } });
    return this.named(model.id, heads);
  }

  /** The latest expansion of a model, or null when it never had one. */
  async latestRun(who: UserPrincipal, modelId: string): Promise<ExpansionRun | null> {
    const model = await this.models.get(who, modelId);
    const task = await this.tasks.latestOfModel(model.id, TaskType.EXPAND_MODEL);
    return task ? this.runOf(model, task) : null;
  }

  /**
   * The run now (when there is one), then again each time its coordinator or head training
   * changes; ends with the model. A failed read skips that change rather than ending the stream:
   * the next change brings the latest state.
   */
  async subscribe(who: UserPrincipal, modelId: string): Promise<AsyncIterableIterator<ExpansionRun>> {
    const model = await this.models.get(who, modelId);
    const events = this.feed.subscribe(taskKey.model(model.id), {
      accept: (t) => t.type === TaskType.EXPAND_MODEL || t.type === TaskType.TRAIN_HEAD,
    });
    const run = async (): Promise<ExpansionRun | null | typeof END> => {
      try {
        return await this.latestRun(who, model.id);
      } catch (e) {
        if (e instanceof NotFoundError) return END;
        return null;
      }
    };
    return mapLive(events, run, async () => {
      const first = await run();
      return first === END ? null : first;
    });
  }

  private async runOf(model: Model, task: Task<TaskType.EXPAND_MODEL>): Promise<ExpansionRun> {
    const heads = await this.named(
      model.id,
      await this.db.getRepository(Head).find({ where: { taskId: task.id }, order: { ordinal: 'ASC' } }),
    );
    const child = await this.tasks.latestChild(TaskType.TRAIN_HEAD, task.id);
    const r = (task.result ?? {}) as Record<string, unknown>;
    const spec = child?.payload.heads.find((h) => h.fromKey === null);
    const names = await classNamesByIndex(this.db, model.id);
    const pending = !spec ? await unservedClasses(this.db, model.id) : [];
    return {
      model,
      task,
      outcome: outcomeOf(task),
      newClasses: spec
        ? spec.classIndexes.map((i) => names.get(i) ?? `class ${i}`)
        : pending.filter((c) => c.train >= MIN_IMAGES_PER_CLASS).map((c) => c.name),
      heads,
      live: child?.status === TaskStatus.RUNNING && child.progress ? liveOf(child.progress, child.payload) : null,
      accuracy: num(r.accuracy),
      oldClassesAccuracy: num(r.oldClassesAccuracy),
      newClassesAccuracy: num(r.newClassesAccuracy),
      evaluatedOn: typeof r.evaluatedOn === 'string' ? r.evaluatedOn : null,
      targetAccuracy: model.targetAccuracy,
      rejectedReason:
        typeof r.reason === 'string'
          ? r.reason
          : (heads.find((h) => h.status === HeadStatus.REJECTED)?.rejectedReason ?? null),
    };
  }

  private async named(modelId: string, heads: Head[]): Promise<Head[]> {
    const names = await classNamesByIndex(this.db, modelId);
    for (const h of heads) h.classNames = h.classIndexes.flatMap((i) => names.get(i) ?? []);
    return heads;
  }
}

function outcomeOf(task: Task<TaskType.EXPAND_MODEL>): ExpansionOutcome {
  switch (task.status) {
    case TaskStatus.QUEUED:
      return ExpansionOutcome.QUEUED;
    case TaskStatus.RUNNING:
      return ExpansionOutcome.TRAINING;
    case TaskStatus.SUCCEEDED:
      return task.result?.activated ? ExpansionOutcome.ACTIVATED : ExpansionOutcome.REJECTED;
    case TaskStatus.FAILED:
      return ExpansionOutcome.FAILED;
    case TaskStatus.CANCELLED:
      return ExpansionOutcome.CANCELLED;
  }
}

function liveOf(p: Record<string, unknown>, payload: TrainHeadPayload): ExpansionLive {
  const n = (k: string) => (typeof p[k] === 'number' ? (p[k] as number) : null);
  const [head, epoch, batch, batches, speed] = [n('head'), n('epoch'), n('batch'), n('batches'), n('imagesPerSecond')];
  const epochs = head !== null ? (payload.heads[head - 1]?.epochs ?? null) : null;
  // Batches left: of this epoch, of this head's later epochs, and of the heads after it.
  let eta: number | null = null;
  if (head !== null && epoch !== null && batch !== null && batches && epochs !== null && speed) {
    const later = payload.heads.slice(head).reduce((sum, h) => sum + h.epochs * batches, 0);
    const left = batches - batch + Math.max(0, epochs - epoch) * batches + later;
    eta = (left * payload.batchSize) / speed;
  }
  return {
    phase: String(p.phase ?? 'training'),
    done: n('done'),
    total: n('total'),
    head,
    heads: n('heads'),
    epoch,
    epochs,
    batch,
    batches,
    loss: n('loss'),
    accuracy: n('accuracy'),
    imagesPerSecond: speed,
    etaSeconds: eta,
  };
}

const num = (x: unknown): number | null => (typeof x === 'number' ? x : null);
