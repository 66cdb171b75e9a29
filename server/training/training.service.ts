import { In, type DataSource } from 'typeorm';
import type { UserPrincipal } from '../auth/principal';
import { classImageCounts, snapshotNow } from '../datasets/image.queries';
import { BadUserInputError } from '../errors';
import { END, mapLive } from '../events/live';
import { modelChanged, type PerceptPubSub } from '../events/pubsub';
import { taskKey, type TaskFeed } from '../tasks/task-feed';
import type { Architecture } from '../ml/architecture';
import { epochCapOf, generateCandidates, type GenerateOptions } from '../ml/generate';
import { RunnerRepository } from '../runners/runner.repository';
import { planCandidates } from '../ml/recipe';
import { ModelClass } from '../models/model-class.entity';
import { Model, ModelStatus } from '../models/model.entity';
import type { ModelService } from '../models/model.service';
import { Task, TaskStatus, TaskType } from '../tasks/task.entity';
import type { TaskQueue } from '../tasks/task-queue';
import { TaskRepository } from '../tasks/task.repository';
import type { TrainModelPayload } from '../tasks/task-contract';
import { Candidate, CandidateStatus } from './candidate.entity';
import { epochsFor, margin95 } from './selection';
import { standing } from './candidate-standing';
import type { CandidateState, ModelEvaluation, TrainingRun, TrainModelInput } from './training.types';

/** Fewer training images than this in a class make validation figures meaningless. */
export const MIN_IMAGES_PER_CLASS = 5;

export class TrainingService {
  private readonly tasks: TaskRepository;

  constructor(
    private readonly db: DataSource,
    private readonly models: ModelService,
    private readonly queue: TaskQueue,
    private readonly pubsub: PerceptPubSub,
    private readonly feed: TaskFeed,
  ) {
    this.tasks = new TaskRepository(db);
  }

  async start(who: UserPrincipal, modelId: string, input: TrainModelInput): Promise<Task> {
    const model = await this.models.get(who, modelId);
    checkOptions(input);
    const busy = await this.tasks.liveOfModel(model.id, [
      TaskType.TRAIN_MODEL,
      TaskType.IMPORT_DATASET,
      TaskType.EXPAND_MODEL,
    ]);
    if (busy) {
      const what =
        busy.type === TaskType.TRAIN_MODEL
          ? 'is already training'
          : busy.type === TaskType.EXPAND_MODEL
            ? 'is training a head for new classes'
            : 'is still importing data';
      throw new BadUserInputError(`The model ${what} (task ${busy.id}); wait for it or cancel it.`, {
        taskId: busy.id,
        reason: 'BUSY',
      });
    }
    const { classes, trainImages } = await this.readiness(model);
    const generating: GenerateOptions = {
      inputShape: [model.inputHeight, model.inputWidth, model.inputChannels],
      classes,
      expandable: model.expandable,
      count: input.candidates,
      trainImages,
      // One core a runner: a long budget on large data buys a deeper network (generate.ts DEEPER_FROM_EPOCHS).
      budget: { minutes: input.maxMinutes ?? null, cores: await new RunnerRepository(this.db).working() },
      greyContent: model.inputChannels === 3 && (await this.allGrey(model.id)),
    };
    // The deeper networks' cap: the budget trains them past their plateau, so two can train side by side.
    const plateauCap = epochCapOf(generating);
    const planned = planCandidates(generateCandidates(generating), input.candidates, { partner: plateauCap !== null });
    const payload: TrainModelPayload = {
      modelId: model.id,
      maxEpochs: input.maxEpochs ?? plateauCap ?? epochsFor(trainImages),
      maxMinutes: input.maxMinutes ?? null,
      roundEpochs: input.roundEpochs,
      pruneGap: input.pruneGap,
      startedAt: new Date().toISOString(),
      stopAtTarget: input.stopAtTarget,
    };
    const task = await this.db.transaction(async (tx) => {
      // Data uploaded from here on waits for the next run (its classes would not fit these networks).
      payload.snapshot = await snapshotNow(tx, classes);
      const t = await this.queue.enqueue(
        { type: TaskType.TRAIN_MODEL, payload, ownerId: model.ownerId, modelId: model.id, maxAttempts: 5 },
        tx,
      );
      for (const [order, c] of planned.entries()) {
        await tx.save(
          tx.create(Candidate, {
            modelId: model.id,
            taskId: t.id,
            name: c.name,
            family: c.architecture.family,
            architecture: c.architecture,
            status: CandidateStatus.QUEUED,
            // The generator's preference (rows made in one transaction share createdAt), and how it trains.
            metrics: { order, recipe: c.recipe },
          }),
        );
      }
      await tx.update(Model, { id: model.id }, { status: ModelStatus.TRAINING });
      return t;
    });
    modelChanged(this.pubsub, model.id);
    return task;
  }

  /** The latest training run of a model, or null when it was never trained. */
  async latestRun(who: UserPrincipal, modelId: string): Promise<TrainingRun | null> {
    const model = await this.models.get(who, modelId);
    const task = await this.tasks.latestOfModel(model.id, TaskType.TRAIN_MODEL);
    return task ? this.runOf(model, task) : null;
  }

  /** The run now, then again each time one of its tasks changes; ends when the model is gone. */
  async subscribe(who: UserPrincipal, modelId: string): Promise<AsyncIterableIterator<TrainingRun>> {
    const model = await this.models.get(who, modelId);
    const events = this.feed.subscribe(taskKey.model(model.id), {
      accept: (t) => t.type === TaskType.TRAIN_MODEL || t.type === TaskType.TRAIN_CANDIDATE,
    });
    const run = () => this.latestRun(who, model.id);
    return mapLive(events, async () => (await run().catch(() => null)) ?? END, run);
  }

  async evaluation(who: UserPrincipal, modelId: string): Promise<ModelEvaluation | null> {
    const model = await this.models.get(who, modelId);
    if (!model.activeCandidateId) return null;
    const c = await this.db.getRepository(Candidate).findOneBy({ id: model.activeCandidateId });
    const e = c?.metrics.evaluation as
      | {
          count: number;
          accuracy: number;
          perClass: { precision: number; recall: number; f1: number; support: number }[];
          confusion: number[][];
        }
      | undefined;
    if (!c || !e) return null;
    const names = await this.classNames(model.id, e.confusion.length);
    // An ensemble's members, the promoted candidate first (train-model.handler.ts promote).
    const members = ((c.metrics.ensemble as { members?: string[] } | undefined)?.members ?? []).slice(1);
    const partners = members.length ? await this.db.getRepository(Candidate).findBy({ id: In(members) }) : [];
    return {
      candidateId: c.id,
      networkName: c.name,
      networks: [c.name, ...members.map((id) => partners.find((o) => o.id === id)?.name ?? id)],
      evaluatedOn: String(c.metrics.evaluatedOn ?? 'test'),
      count: e.count,
      accuracy: e.accuracy,
      perClass: e.perClass.map((m, i) => ({ className: names[i]!, ...m })),
      classNames: names,
      confusion: e.confusion,
    };
  }

  /** Class names by output index; a deleted class keeps its slot. */
  async classNames(modelId: string, outputs: number): Promise<string[]> {
    const rows = await this.db.getRepository(ModelClass).find({ where: { modelId } });
    const names = Array.from({ length: outputs }, (_, i) => `class ${i}`);
    for (const r of rows) if (r.index < outputs) names[r.index] = r.name;
    return names;
  }

  /** Whether every labelled image of the model is grey (Image.grey): its networks then see one channel. */
  private async allGrey(modelId: string): Promise<boolean> {
    const [row] = (await this.db.query(
      `SELECT bool_and(grey) AS grey FROM images WHERE "modelId" = $1 AND "classId" IS NOT NULL AND split IS NOT NULL`,
      [modelId],
    )) as { grey: boolean | null }[];
    return row?.grey === true;
  }

  private async readiness(model: Model): Promise<{ classes: number; trainImages: number }> {
    const counts = await classImageCounts(this.db, model.id);
    const withImages = counts.filter((c) => c.total > 0);
    if (withImages.length === 0)
      throw new BadUserInputError('The model has no data yet: upload a zip with one folder of images per class.', {
        reason: 'NO_DATA',
      });
    if (withImages.length < 2) {
      throw new BadUserInputError(
        `Training needs at least two classes; the data has one (${withImages[0]!.name}). Upload images of another class.`,
        { reason: 'ONE_CLASS' },
      );
    }
    const thin = withImages.filter((c) => c.train < MIN_IMAGES_PER_CLASS);
    if (thin.length) {
      const list = thin.map((c) => `${c.name} (${c.train})`).join(', ');
      throw new BadUserInputError(
        `Each class needs at least ${MIN_IMAGES_PER_CLASS} training images; too few in: ${list}.`,
        { reason: 'TOO_FEW_IMAGES', classes: thin.map((c) => c.name) },
      );
    }
    return {
      classes: Math.max(...counts.map((c) => c.index)) + 1,
      trainImages: withImages.reduce((n, c) => n + c.train, 0),
    };
  }

  private async runOf(model: Model, task: Task<TaskType.TRAIN_MODEL>): Promise<TrainingRun> {
    const payload = task.payload;
    const candidates = await this.db
      .getRepository(Candidate)
      .find({ where: { taskId: task.id }, order: { createdAt: 'ASC' } });
    const running = await this.tasks.children(TaskType.TRAIN_CANDIDATE, task.id, TaskStatus.RUNNING);
    const liveOf = new Map(running.map((t) => [t.payload.candidateId, t.progress]));
    const states: CandidateState[] = candidates.map((c) => {
      const live = liveOf.get(c.id) as Record<string, unknown> | undefined;
      const s = standing(c);
      return {
        id: c.id,
        name: c.name,
        family: c.family,
        params: (c.architecture as Architecture).params,
        status: c.status,
        epochsDone: c.epochsDone,
        bestValAccuracy: c.bestValAccuracy,
        validationAccuracy: s.accuracy,
        validationMargin: s.accuracy === null ? null : margin95(s.accuracy, s.images),
        validationImages: s.images,
        testAccuracy: c.testAccuracy,
        prunedReason: c.prunedReason,
        history: (c.metrics.history as CandidateState['history']) ?? [],
        live: live ? { phase: String(live.phase ?? 'training'), ...live } : null,
      };
    });
    const chosen = candidates.find((c) => typeof c.metrics.selection === 'string');
    return {
      model,
      task,
      candidates: states,
      maxEpochs: payload.maxEpochs,
      stopAtTarget: payload.stopAtTarget === true,
      selection: (chosen?.metrics.selection as string | undefined) ?? null,
      etaSeconds: eta(task, payload, states),
    };
  }
}

/** Remaining candidate-epochs × the last epoch time, spread over the candidates training at once; capped by the budget. */
function eta(task: Task, p: TrainModelPayload, states: CandidateState[]): number | null {
  if (task.status !== TaskStatus.RUNNING && task.status !== TaskStatus.QUEUED) return null;
  const live = states.filter((c) => c.status === CandidateStatus.QUEUED || c.status === CandidateStatus.TRAINING);
  const seconds = live.map((c) => c.history.at(-1)?.seconds).filter((s): s is number => typeof s === 'number');
  const budget = p.maxMinutes
    ? Math.max(0, Date.parse(p.startedAt) + p.maxMinutes * 60_000 - Date.now()) / 1000
    : Infinity;
  if (!seconds.length) return null;
  const perEpoch = seconds.reduce((a, b) => a + b, 0) / seconds.length;
  // The chosen candidate retraining on training and validation images repeats its epochs.
  const left = (c: CandidateState) =>
    c.live?.phase === 'retraining'
      ? c.epochsDone - Math.max(0, Number(c.live.epoch ?? 1) - 1)
      : p.maxEpochs - c.epochsDone;
  const remaining = live.reduce((n, c) => n + Math.max(0, left(c)), 0);
  const parallel = Math.max(1, running(states));
  return Math.min(budget, (remaining * perEpoch) / parallel);
}

const running = (states: CandidateState[]) => states.filter((c) => c.live).length;

function checkOptions(o: TrainModelInput): void {
  const bad = (field: string, msg: string) => new BadUserInputError(msg, { field });
  if (!Number.isInteger(o.candidates) || o.candidates < 1 || o.candidates > 6)
    throw bad('candidates', 'candidates must be between 1 and 6.');
  if (o.maxEpochs != null && (!Number.isInteger(o.maxEpochs) || o.maxEpochs < 1 || o.maxEpochs > 1000))
    throw bad('maxEpochs', 'maxEpochs must be between 1 and 1000.');
  if (!Number.isInteger(o.roundEpochs) || o.roundEpochs < 1) throw bad('roundEpochs', 'roundEpochs must be 1 or more.');
  if (o.maxMinutes != null && !(o.maxMinutes > 0 && o.maxMinutes <= 7 * 24 * 60))
    throw bad('maxMinutes', 'maxMinutes must be more than 0 and at most a week.');
  if (!(o.pruneGap >= 0 && o.pruneGap <= 1)) throw bad('pruneGap', 'pruneGap must be between 0 and 1.');
}
