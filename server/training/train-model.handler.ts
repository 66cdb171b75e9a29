import type { DataSource } from 'typeorm';
import type { TrainingSettings } from '../config/config';
import { splitCounts, trainImageCount } from '../datasets/image.queries';
import { modelChanged, type PerceptPubSub } from '../events/pubsub';
import type { Logger } from '../logging/logger';
import { Model, ModelStatus } from '../models/model.entity';
import type { RunnerDataService } from '../runners/data/data.service';
import { RunnerRepository } from '../runners/runner.repository';
import { Task, TaskStatus, TaskType } from '../tasks/task.entity';
import type { TaskQueue } from '../tasks/task-queue';
import {
  finalizeRound,
  trainingRound,
  type TrainCandidatePayload,
  type TrainModelPayload,
} from '../tasks/task-contract';
import { TaskRepository } from '../tasks/task.repository';
import { artifactPrefix } from '../storage/keys';
import { PermanentTaskError, type TaskContext, type TaskHandler } from '../tasks/task-types';
import { waitForTaskChange } from '../tasks/task-events';
import { DEFAULT_RECIPE } from '../ml/recipe';
import { parseArchitecture } from '../ml/architecture';
import { Candidate, CandidateStatus } from './candidate.entity';
import { standing } from './candidate-standing';
import {
  choose,
  ensembleNote,
  ensemblePartners,
  ensemblesAllowed,
  halving,
  leader,
  nextRoundEnd,
  partnerEpochs,
  pruneReason,
  refitReason,
  replicaCosts,
  replicaPays,
  roomForAll,
  roundThreads,
  scheduleEpochs,
  startNow,
} from './selection';
import { modelSplitter } from './split';
import { readHeldOut, recordThresholds } from '../models/class-thresholds';
import type { BlobStore } from '../storage/blob-store';

/** A TRAIN_CANDIDATE round of this run. */
type Round = Task<TaskType.TRAIN_CANDIDATE>;

const WAIT_MS = 5000;

/**
 * The coordinator of a training run (successive halving in spirit). It runs in a server process
 * and holds no state of its own: each pass reads the candidates and their round tasks from
 * PostgreSQL, so a restarted server resumes where the run was. A pass either waits for the
 * running rounds, or absorbs their results, prunes candidates that trail the best by more than
 * the gap (and, under a budget, halves the field), and queues the next round of whole epochs
 * that fit (under a budget too short for every candidate, a candidate starts only when a runner is
 * free for it) — or, when the target is met, the epochs are done or the budget cannot fit another
 * epoch, chooses the best candidate. When there is room (selection.ts refitReason) the chosen one
 * trains again from scratch, the same way, on its training and validation images together; then
 * the promotion (test evaluation and export) of that network, or of the candidate as chosen when
 * the retraining cannot run or finish, is queued and recorded. An expandable model is then split
 * into base and first head (split.ts) before the run ends.
 */
export function trainModelHandler(deps: {
  db: DataSource;
  training: TrainingSettings;
  queue: TaskQueue;
  pubsub: PerceptPubSub;
  runnerData: RunnerDataService;
  blobs: Pick<BlobStore, 'get'>;
}): TaskHandler<TaskType.TRAIN_MODEL> {
  const { db, queue, pubsub, runnerData } = deps;
  const candidates = db.getRepository(Candidate);
  const models = db.getRepository(Model);
  const splitter = modelSplitter({ db, queue, pubsub });

  const tasks = new TaskRepository(db);
  const runners = new RunnerRepository(db);
  const childrenOf = (taskId: string) => tasks.children(TaskType.TRAIN_CANDIDATE, taskId);
  const trainImages = (modelId: string) => trainImageCount(db, modelId);

  const changed = (id: string) => modelChanged(pubsub, id);
  /**
   * Whether this candidate's rounds should have a replica: they would go faster with one
   * (selection.ts replicaPays), and where the network has batch norm, one core cannot train it to
   * the cap in the time left (`secondsLeft`; Infinity without a budget) — replicaCosts. A refit
   * retrains from the start in the time the choice left it, so it takes every core that pays.
   */
  const threadsPay = async (c: Candidate, p: TrainModelPayload, secondsLeft: number, refit = false) => {
    const architecture = parseArchitecture(c.architecture);
    const pays =
      deps.training.threads > 1 &&
      replicaPays({
        macs: architecture.macs,
        trainImages: await trainImages(p.modelId),
        minEpochMacs: deps.training.replicaMinEpochMmacs * 1e6,
      });
    if (!pays || refit || !replicaCosts(architecture)) return pays;
    const oneCoreReachesCap = roomForAll({
      secondsLeft,
      runners: 1,
      candidates: [
        {
          epochsLeft: Math.max(0, p.maxEpochs - c.epochsDone),
          secondsPerEpoch: lastEpochSeconds(c),
          threads: c.metrics.threads as number | undefined,
        },
      ],
    });
    return !oneCoreReachesCap;
  };

  const enqueueRound = async (
    ctx: TaskContext<TaskType.TRAIN_MODEL>,
    c: Candidate,
    toEpoch: number,
    finalize: boolean,
    refit?: { scheduleEpochs: number | undefined },
    threads = 1,
    partners: Candidate[] = [],
  ) => {
    const p = ctx.payload;
    const images = await trainImages(p.modelId);
    const payload: TrainCandidatePayload = {
      modelId: p.modelId,
      candidateId: c.id,
      trainTaskId: ctx.task.id,
      toEpoch,
      deadline:
        finalize || !p.maxMinutes ? null : new Date(Date.parse(p.startedAt) + p.maxMinutes * 60_000).toISOString(),
      finalize,
      datasetVersion: await runnerData.datasetVersion(p.modelId, p.snapshot),
      ...(p.snapshot ? { snapshot: p.snapshot } : {}),
      architecture: c.architecture,
      seed: seedOf(c.id),
      batchSize: batchSizeFor(images),
      // Candidates of older runs have none: they train by today's defaults.
      recipe: c.metrics.recipe ?? DEFAULT_RECIPE,
      ...(refit ? { refit: true } : {}),
      ...(threads > 1 ? { threads } : {}),
      ...(partners.length
        ? { partners: partners.map((o) => ({ candidateId: o.id, architecture: o.architecture, seed: seedOf(o.id) })) }
        : {}),
      // Fixed for a round, so a retried round replays it; recomputed between rounds as the pace
      // changes. A refit replays the schedule the candidate last trained under.
      scheduleEpochs: refit
        ? refit.scheduleEpochs
        : scheduleEpochs({
            maxEpochs: p.maxEpochs,
            epochsDone: c.epochsDone,
            roundEpochs: p.roundEpochs,
            secondsLeft: p.maxMinutes ? (Date.parse(p.startedAt) + p.maxMinutes * 60_000 - Date.now()) / 1000 : null,
            secondsPerEpoch: lastEpochSeconds(c),
          }),
    };
    await queue.enqueue({
      type: TaskType.TRAIN_CANDIDATE,
      payload,
      ownerId: ctx.task.ownerId,
      modelId: p.modelId,
      priority: ctx.task.priority,
    });
  };

  const run = async (ctx: TaskContext<TaskType.TRAIN_MODEL>): Promise<Record<string, unknown>> => {
    const p = ctx.payload;
    const log: Logger = ctx.log;
    const deadline = p.maxMinutes ? Date.parse(p.startedAt) + p.maxMinutes * 60_000 : Infinity;
    const secondsLeft = () => (deadline - Date.now()) / 1000;
    for (;;) {
      const model = await models.findOneBy({ id: p.modelId });
      if (!model) throw new PermanentTaskError('the model was deleted');
      const mine = await candidates.find({ where: { taskId: ctx.task.id }, order: { createdAt: 'ASC' } });
      const children = await childrenOf(ctx.task.id);
      if (ctx.signal.aborted) return stop(model, mine, children, 'cancelled');

      // Rounds end together: candidates are judged side by side, at the same number of epochs.
      // (Judging each as its round ends kept runners busier, but compared a slow starter with a
      // leader epochs ahead and pruned it: on the shapes set, networks trained on shifted images
      // that win late were lost that way.)
      const active = children.filter(isActive);
      if (active.length) {
        await ctx.progress(summary(mine, children));
        await waitForTaskChange(pubsub, new Set(active.map((t) => t.id)), WAIT_MS, ctx.signal);
        continue;
      }

      // Promotion finished (or failed): record it and end the run, after splitting an expandable model.
      const final = children.filter((t) => t.payload.finalize).at(-1);
      if (final?.status === TaskStatus.SUCCEEDED) {
        const promoted = await promote(model, mine, final);
        if (!model.expandable) return promoted;
        const winner = await candidates.findOneByOrFail({ id: promoted.promoted });
        const split = await splitter.step(ctx, model, winner);
        if ('result' in split) return { ...promoted, split: split.result };
        await ctx.progress({ ...summary(mine, children), phase: 'splitting' });
        await waitForTaskChange(pubsub, new Set([split.waitFor]), WAIT_MS, ctx.signal);
        continue;
      }
      if (final) throw new PermanentTaskError(`promoting the best candidate failed: ${final.error ?? final.status}`);

      // The chosen candidate was trained again on its training and validation images: promote
      // that network, or the candidate as it was chosen when the retraining failed or ran short.
      const refit = children.filter((t) => t.payload.refit).at(-1);
      if (refit) {
        const best = mine.find((c) => c.id === refit.payload.candidateId)!;
        const r = refit.status === TaskStatus.SUCCEEDED ? trainingRound(refit.result) : null;
        const done = r !== null && r.epochs >= refit.payload.toEpoch;
        if (best.metrics.refit === undefined) {
          const note = done
            ? `It was then trained again the same way on its ${r.trainImages === undefined ? '' : `${r.trainImages} `}training and validation images (${r.epochs} epochs), and that network is served.`
            : `Training it again on its training and validation images did not finish (${refit.error ?? r?.stopReason ?? refit.status}): it is served as chosen.`;
          best.metrics = {
            ...best.metrics,
            refit: done ? { epochs: r.epochs, images: r.trainImages ?? null, seconds: r.seconds } : { failed: note },
            selection: [best.metrics.selection, note].filter(Boolean).join(' '),
          };
          await candidates.save(best);
        }
        await enqueueRound(
          ctx,
          best,
          best.epochsDone,
          true,
          done ? { scheduleEpochs: refit.payload.scheduleEpochs } : undefined,
        );
        log.info({ best: best.id, refit: done }, 'promoting the chosen candidate');
        continue;
      }

      await absorb(mine, children);
      const live = mine.filter((c) => c.status === CandidateStatus.QUEUED || c.status === CandidateStatus.TRAINING);
      const standings = mine.filter((c) => c.status !== CandidateStatus.FAILED).map(standing);
      const lead = leader(standings);
      const ensembles = ensemblesAllowed({ expandable: model.expandable, stopAtTarget: p.stopAtTarget === true });
      const byId = new Map(standings.map((s) => [s.id, s]));
      const prune = async (c: Candidate, reason: string) => {
        c.status = CandidateStatus.PRUNED;
        c.prunedReason = reason;
        await candidates.save(c);
        log.info({ candidate: c.id, reason }, 'candidate pruned');
      };
      if (lead) {
        for (const c of live) {
          const reason = pruneReason(byId.get(c.id)!, lead, p.pruneGap);
          if (reason) await prune(c, reason);
        }
      }
      const slots = await runners.working();
      // Under a budget a candidate starts when a runner is free for it (selection.ts startNow).
      const begun = new Set(children.map((t) => t.payload.candidateId));
      let started = live.filter((c) => c.status !== CandidateStatus.PRUNED && begun.has(c.id));
      const waiting = live.filter((c) => c.status !== CandidateStatus.PRUNED && !begun.has(c.id));
      // Whether the time left can train these candidates to their caps (or `cap`) at their measured paces.
      const room = (cs: Candidate[], cap = p.maxEpochs) =>
        roomForAll({
          secondsLeft: (deadline - Date.now()) / 1000,
          runners: slots,
          candidates: cs.map((c) => ({
            epochsLeft: Math.max(0, cap - c.epochsDone),
            secondsPerEpoch: lastEpochSeconds(c),
            threads: c.metrics.threads as number | undefined,
          })),
        });
      // Under a time budget, successive halving proper: each round keeps the better half, so the
      // budget goes to the likely winner instead of being shared to the end.
      const nextEnd = (c: Candidate) =>
        nextRoundEnd({
          maxEpochs: p.maxEpochs,
          epochsDone: c.epochsDone,
          roundEpochs: p.roundEpochs,
          secondsLeft: p.maxMinutes ? (deadline - Date.now()) / 1000 : null,
          secondsPerEpoch: lastEpochSeconds(c),
        });
      // Halving only where another round follows: once none has time for another epoch, those that
      // trained to the end stay for the promotion, where they may serve beside the best (ensemblePartners).
      if (
        p.maxMinutes &&
        started.length > 1 &&
        started.every((c) => c.epochsDone > 0) &&
        started.some((c) => nextEnd(c) !== null)
      ) {
        // A lone survivor whose work pays for a replica trains on the idle runners' cores too —
        // unless the time left trains every started candidate to most of its cap on one core each
        // (partnerEpochs) and they may be served together (ensemblesAllowed): then each runner keeps
        // one. (A leader that last trained with a replica is counted at its one-core pace, roomForAll.)
        const leading = started.find((c) => c.id === lead?.id);
        const together = ensembles && room(started, partnerEpochs(p.maxEpochs));
        const shared = !together && leading !== undefined && (await threadsPay(leading, p, secondsLeft()));
        for (const { standing: s, reason } of halving(
          started.map((c) => byId.get(c.id)!),
          {
            keepAtLeast: shared ? Math.ceil(slots / deps.training.threads) : slots,
            timeBound: shared && !room([...started, ...waiting]),
          },
        )) {
          await prune(
            started.find((c) => c.id === s.id)!,
            reason,
          );
        }
        started = started.filter((c) => c.status !== CandidateStatus.PRUNED);
      }
      // The runners the started candidates' next rounds take (a replica takes an idle one).
      let busy = 0;
      for (const c of started)
        busy += (await threadsPay(c, p, secondsLeft()))
          ? roundThreads(slots, started.length, deps.training.threads)
          : 1;
      const starting = startNow(
        waiting.map((c) => ({ c, order: byId.get(c.id)!.order })),
        {
          started: started.length,
          busy,
          runners: slots,
          budget: Boolean(p.maxMinutes),
          roomForAll: room([...started, ...waiting]),
        },
      ).map((w) => w.c);
      const stillLive = [...started, ...starting];
      const reachedTarget = p.stopAtTarget === true && lead !== undefined && lead.accuracy! >= model.targetAccuracy;
      const outOfTime = Date.now() >= deadline;
      // Every candidate is at its cap or has no time for another whole epoch.
      const noMoreRounds = stillLive.every((c) => nextEnd(c) === null);
      if (reachedTarget || outOfTime || noMoreRounds) {
        // A pruned candidate's weights stopped early: only those that trained on can be promoted.
        const finished = new Set(mine.filter((c) => c.status !== CandidateStatus.PRUNED).map((c) => c.id));
        const choice = choose(standings.filter((s) => finished.has(s.id)));
        if (!choice)
          throw new PermanentTaskError(
            `no candidate finished an epoch${whyFailed(mine)}; see the candidates for their errors`,
          );
        const best = mine.find((c) => c.id === choice.winner.id)!;
        for (const c of started)
          if (c.id !== best.id) await candidates.update({ id: c.id }, { status: CandidateStatus.COMPLETED });
        for (const c of waiting)
          await prune(
            c,
            'not trained: no runner came free for it within the time budget (the candidates ahead used them)',
          );
        await candidates.update(
          { id: best.id },
          { status: CandidateStatus.TRAINING, metrics: { ...best.metrics, selection: choice.note } },
        );
        const counts = await splitCounts(db, p.modelId, p.snapshot);
        const noRefit = refitReason({
          stopAtTarget: p.stopAtTarget === true,
          epochs: best.epochsDone,
          trainImages: counts.TRAIN,
          validationImages: counts.VALIDATION,
          testImages: counts.TEST,
          secondsLeft: p.maxMinutes ? (deadline - Date.now()) / 1000 : null,
          secondsPerEpoch: lastEpochSeconds(best),
        });
        const lastSchedule = children.filter((t) => t.payload.candidateId === best.id && !t.payload.finalize).at(-1)
          ?.payload.scheduleEpochs;
        if (noRefit === null)
          await enqueueRound(
            ctx,
            best,
            best.epochsDone,
            false,
            { scheduleEpochs: lastSchedule },
            (await threadsPay(best, p, secondsLeft(), true)) ? roundThreads(slots, 1, deps.training.threads) : 1,
          );
        else {
          const partners = ensemblePartners(
            standings.filter((s) => finished.has(s.id)),
            choice.winner,
            { allowed: ensembles, refit: false },
          ).map((s) => mine.find((c) => c.id === s.id)!);
          await enqueueRound(ctx, best, best.epochsDone, true, undefined, 1, partners);
        }
        log.info(
          { best: best.id, reachedTarget, outOfTime, noMoreRounds, why: choice.note, noRefit },
          noRefit === null
            ? 'retraining the chosen candidate on training and validation images'
            : 'promoting the best candidate',
        );
        continue;
      }
      const next = stillLive
        .map((c) => ({ c, to: nextEnd(c) }))
        .filter((n): n is { c: Candidate; to: number } => n.to !== null);
      for (const { c, to } of next) {
        await candidates.update({ id: c.id }, { status: CandidateStatus.TRAINING });
        const threads = (await threadsPay(c, p, secondsLeft()))
          ? roundThreads(slots, next.length, deps.training.threads)
          : 1;
        await enqueueRound(ctx, c, to, false, undefined, threads);
      }
    }
  };

  /** Folds each candidate's latest finished round into its row (idempotent). */
  const absorb = async (mine: Candidate[], children: Round[]) => {
    for (const c of mine) {
      if (c.status !== CandidateStatus.QUEUED && c.status !== CandidateStatus.TRAINING) continue;
      const last = children.filter((t) => t.payload.candidateId === c.id && !t.payload.refit).at(-1);
      if (!last) continue;
      if (last.status === TaskStatus.SUCCEEDED) {
        const r = trainingRound(last.result);
        c.epochsDone = r.epochs;
        c.bestValAccuracy = r.bestValAccuracy;
        // The cores its last round had: its last epoch's pace on one core is slower (roomForAll).
        c.metrics = {
          ...c.metrics,
          history: r.history,
          validationImages: r.validationImages ?? 0,
          threads: r.threads ?? 1,
        };
        // Converged: early stopping fired, so more rounds would not help it.
        if (r.stopReason === 'early-stopped') c.status = CandidateStatus.COMPLETED;
      } else {
        c.status = CandidateStatus.FAILED;
        c.prunedReason = `training failed: ${last.error ?? last.status}`;
      }
      await candidates.save(c);
    }
  };

  const promote = async (model: Model, mine: Candidate[], final: Round) => {
    const r = finalizeRound(final.result);
    const winner = mine.find((c) => c.id === final.payload.candidateId)!;
    // The partners offered at promotion, and whether validation had them served with it.
    const together = r.ensemble ? ensembleNote(r.ensemble, (id) => mine.find((c) => c.id === id)?.name ?? id) : null;
    const selection = [winner.metrics.selection, together].filter(Boolean).join(' ') || null;
    const outcome = {
      promoted: winner.id,
      name: winner.name,
      testAccuracy: r.evaluation.accuracy,
      validationAccuracy: standing(winner).accuracy,
      epochs: r.epochs,
      refit: final.payload.refit === true,
      ensemble: r.ensemble && r.ensemble.members.length > 1 ? r.ensemble.members : null,
      selection,
    };
    // Recorded by an earlier pass (the run waits for the split afterwards, or was re-run after a crash).
    if (winner.status === CandidateStatus.PROMOTED && model.activeCandidateId === winner.id) return outcome;
    const heldOut = await readHeldOut(deps.blobs, model.id, winner.id);
    await db.transaction(async (tx) => {
      await tx.update(
        Candidate,
        { modelId: model.id, status: CandidateStatus.PROMOTED },
        { status: CandidateStatus.COMPLETED },
      );
      await tx.update(
        Candidate,
        { id: winner.id },
        {
          status: CandidateStatus.PROMOTED,
          testAccuracy: r.evaluation.accuracy,
          artifactKey: r.artifactKey ?? artifactPrefix(model.id, winner.id),
          metrics: {
            ...winner.metrics,
            evaluation: r.evaluation,
            evaluatedOn: r.evaluatedOn,
            ...(r.ensemble ? { ensemble: r.ensemble, selection: selection ?? undefined } : {}),
          },
        },
      );
      await tx.update(
        Model,
        { id: model.id },
        {
          activeCandidateId: winner.id,
          status: ModelStatus.READY,
          underTarget: (standing(winner).accuracy ?? 0) < model.targetAccuracy,
          trainedAt: new Date(),
        },
      );
      await recordThresholds(tx, model.id, model.targetPrecision, heldOut);
    });
    changed(model.id);
    return outcome;
  };

  const stop = async (model: Model, mine: Candidate[], children: Task[], why: string) => {
    for (const t of children) {
      if (isActive(t)) {
        await queue.cancel(t.id);
      }
    }
    for (const c of mine) {
      if (c.status === CandidateStatus.QUEUED || c.status === CandidateStatus.TRAINING) {
        await candidates.update({ id: c.id }, { status: CandidateStatus.FAILED, prunedReason: why });
      }
    }
    await models.update(
      { id: model.id },
      { status: model.activeCandidateId ? ModelStatus.READY : ModelStatus.CREATED },
    );
    changed(model.id);
    throw new Error(why);
  };

  return {
    type: TaskType.TRAIN_MODEL,
    run: async (ctx) => {
      try {
        return await run(ctx);
      } catch (e) {
        // Leave the model serving what it served before, and say the run ended.
        const model = await models.findOneBy({ id: ctx.payload.modelId });
        if (
          model &&
          model.status === ModelStatus.TRAINING &&
          (e instanceof PermanentTaskError || ctx.task.attempts >= ctx.task.maxAttempts)
        ) {
          await models.update(
            { id: model.id },
            { status: model.activeCandidateId ? ModelStatus.READY : ModelStatus.FAILED },
          );
          changed(model.id);
        }
        throw e;
      }
    },
  };
}

/** The first failed candidate's reason, for the run's own error ("" when none failed). */
function whyFailed(mine: Candidate[]): string {
  const failed = mine.find((c) => c.status === CandidateStatus.FAILED && c.prunedReason);
  return failed ? ` (${failed.name}: ${failed.prunedReason})` : '';
}

/** The candidate's measured pace: its last epoch's training time. */
function lastEpochSeconds(c: Candidate): number | null {
  const history = (c.metrics.history as Array<{ seconds?: number }> | undefined) ?? [];
  return history.at(-1)?.seconds ?? null;
}

const isActive = (t: Task) => t.status === TaskStatus.QUEUED || t.status === TaskStatus.RUNNING;

function summary(mine: Candidate[], children: Task[]): Record<string, unknown> {
  return {
    candidates: mine.length,
    training: mine.filter((c) => c.status === CandidateStatus.TRAINING).length,
    pruned: mine.filter((c) => c.status === CandidateStatus.PRUNED).length,
    rounds: children.length,
  };
}

/**
 * Small datasets need small batches to get enough optimiser steps per epoch (about 30 at least);
 * large ones train faster per image with larger batches. Powers of two from 8 to 64.
 */
export function batchSizeFor(trainImages: number): number {
  const ideal = 2 ** Math.round(Math.log2(Math.max(1, trainImages / 30)));
  return Math.min(64, Math.max(8, ideal));
}

/** A stable seed per candidate, so every round (and a retried one) replays the same stream. */
export function seedOf(candidateId: string): number {
  return parseInt(candidateId.replace(/-/g, '').slice(0, 8), 16) % 2 ** 31;
}
