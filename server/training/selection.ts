// The decisions of a training run that depend on how much the validation figures can be
// trusted: which candidates to prune, which to promote, and how long each one's learning-rate
// schedule runs. Pure functions of the candidates' standings, so they are tested alone.
//
// Validation accuracy on n images is a binomial estimate: on 12 images a network that is right
// 90% of the time scores anywhere from 67% to 100%. A difference between two candidates counts
// only when it is larger than that noise allows (95% two-sided), so small datasets are never
// pruned on luck; the promoted network is the best estimate, with a note that says whether its
// lead is more than chance.

import type { Architecture } from '../ml/architecture';
import type { EnsembleOutcome } from '../tasks/task-contract';

export interface Standing {
  id: string;
  name: string;
  /** The generator's order: 0 is its best-sized network. */
  order: number;
  epochsDone: number;
  /** Validation accuracy of the weights as they stand (mean of the last epochs); null before any. */
  accuracy: number | null;
  /** Validation loss of the last epoch. */
  loss: number | null;
  /** Validation images behind the figures. */
  images: number;
}

const Z95 = 1.96;
/** The gap rule waits this long (bench:quality: a 32 px CNN at 1 of 14 right after 2 epochs, and fine after 20). */
export const MIN_EPOCHS_BEFORE_PRUNING = 4;

/**
 * The variance of an accuracy measured on n images. Clamped away from 0 and 1: 12 of 12 right
 * does not mean the error is surely zero.
 */
function variance(accuracy: number, images: number): number {
  const p = Math.min(Math.max(accuracy, 1 / (images + 2)), 1 - 1 / (images + 2));
  return (p * (1 - p)) / images;
}

/** The 95% half-width of an accuracy measured on n images. */
export function margin95(accuracy: number, images: number): number {
  return images <= 0 ? 1 : Z95 * Math.sqrt(variance(accuracy, images));
}

/** The smallest accuracy difference between two candidates that is not noise. */
export function noiseBetween(a: Standing, b: Standing): number {
  const v = (s: Standing) => variance(s.accuracy ?? 0, Math.max(1, s.images));
  return Z95 * Math.sqrt(v(a) + v(b));
}

/** Best first: highest accuracy, then lowest validation loss, then the generator's order. */
const ranking = (a: Standing, b: Standing) =>
  (b.accuracy ?? 0) - (a.accuracy ?? 0) || (a.loss ?? Infinity) - (b.loss ?? Infinity) || a.order - b.order;

/** The leader: the first by `ranking` of those with an accuracy. */
export function leader(standings: readonly Standing[]): Standing | undefined {
  return standings.filter((s) => s.accuracy !== null).sort(ranking)[0];
}

/** Why `s` should stop now because it trails the leader by more than `gap` and more than noise; null to keep it. */
export function pruneReason(
  s: Standing,
  lead: Standing,
  gap: number,
  minEpochs = MIN_EPOCHS_BEFORE_PRUNING,
): string | null {
  // A network is judged once it had a fair start: after a warm-up epoch some have not taken off yet.
  if (s.id === lead.id || s.accuracy === null || s.epochsDone < minEpochs) return null;
  const behind = lead.accuracy! - s.accuracy;
  if (behind <= gap) return null;
  const noise = noiseBetween(s, lead);
  if (behind <= noise) return null;
  return `validation accuracy ${pct(s.accuracy)} trails the best (${lead.name}, ${pct(lead.accuracy)}) by ${pct(behind)} after ${s.epochsDone} epoch(s): more than the ${pct(gap)} gap and more than the ±${pct(noise)} that ${Math.min(s.images, lead.images)} validation images leave to chance`;
}

/**
 * The share of the epoch cap that candidates kept side by side as partners must each have time
 * for. Their schedules end where the time does (scheduleEpochs), so each stops a little short of
 * its cap. On all of Fashion-MNIST, 3 conv 32→64→64 with batch norm and its twin trained on mirrored
 * images (bench/recipe.ts, docs/benchmarks.md session 13): averaged after 12 epochs each, 0.9349
 * test accuracy against 0.9340 for the plain one alone; after 15, 0.9380 against 0.9349; through
 * the product at 30 minutes (14 epochs each, 100–140 s an epoch) 0.9361, 0.9372 and 0.9372 in three
 * runs (sessions 13–14), against 0.9333–0.9354 for one network of 15 epochs in five runs before.
 */
export const PARTNER_EPOCH_SHARE = 0.8;

/** The epochs each partner kept side by side must have time for (PARTNER_EPOCH_SHARE of the cap). */
export function partnerEpochs(maxEpochs: number): number {
  return Math.ceil(PARTNER_EPOCH_SHARE * maxEpochs);
}

/** The most networks a model serves together: the chosen one and two partners. */
export const MAX_ENSEMBLE = 3;

/**
 * Whether a run may serve its best candidates together (server/ml/ensemble.ts). Not for an
 * expandable model (its new classes train a head on one network's features), nor when the user
 * asked to stop at the target (speed). When it may, and the time left trains every started
 * candidate to most of its cap (PARTNER_EPOCH_SHARE) on one core each, halving keeps one per
 * runner rather than giving the leader the others' cores (a replica). Where time is short the
 * leader still takes them: two networks each trained half as long are no better than one (all of
 * Fashion-MNIST, two networks of 15 epochs: 0.9338 and 0.9322 alone, 0.9339 together, against
 * 0.9333 for one of 25; docs/benchmarks.md, session 9).
 */
export function ensemblesAllowed(run: { expandable: boolean; stopAtTarget: boolean }): boolean {
  return !run.expandable && !run.stopAtTarget;
}

/**
 * The candidates offered to join the chosen one at promotion, best first: those that trained and
 * were not pruned (`finished`). The runner keeps each only where the mean with it is clearly better
 * on the validation images. None when the chosen network is retrained on its validation images
 * (`refit`): nothing would be left to judge the ensemble on.
 */
export function ensemblePartners(
  finished: readonly Standing[],
  winner: Standing,
  options: { allowed: boolean; refit: boolean },
): Standing[] {
  if (!options.allowed || options.refit) return [];
  return finished
    .filter((s) => s.id !== winner.id && s.epochsDone > 0 && s.accuracy !== null)
    .sort(ranking)
    .slice(0, MAX_ENSEMBLE - 1);
}

/** What promotion says of the partners offered (appended to the selection note). */
export function ensembleNote(outcome: EnsembleOutcome, nameOf: (candidateId: string) => string): string {
  const partners = outcome.members.slice(1);
  const on = `on the ${outcome.validationImages} validation images`;
  if (partners.length)
    return `It is served together with ${partners.map(nameOf).join(' and ')} (the mean of their probabilities): ${pct(outcome.accuracy)} ${on} against ${pct(outcome.aloneAccuracy)} for it alone.`;
  return `Serving it together with ${outcome.offered.map(nameOf).join(' or ')} was not clearly better ${on}, so it is served alone.`;
}

/**
 * Under a time budget, successive halving: keep the better half, but never go below `keepAtLeast`
 * — the runners there are, or fewer where the survivors' rounds use the idle runners' cores
 * (roundThreads): a network on one core would go no faster while the other runners idled. A
 * candidate whose deficit is within the noise of the validation set is kept, unless the run is
 * `timeBound` (the budget cannot train every candidate to its cap) and dropping it gives the
 * leader cores: then two networks alike within chance would each get half the epochs, and the one
 * kept gains more from the other's cores than the choice between them can lose (fashion-500-rgb64,
 * 10 minutes: two such candidates kept to the end trained 11 epochs each). Returns the candidates
 * to drop, with reasons.
 */
export function halving(
  live: readonly Standing[],
  options: { keepAtLeast?: number; timeBound?: boolean } = {},
): Array<{ standing: Standing; reason: string }> {
  const lead = leader(live);
  if (!lead || live.length < 2) return [];
  const ranked = [...live].sort(ranking);
  const keep = Math.max(Math.ceil(ranked.length / 2), options.keepAtLeast ?? 1);
  return ranked.slice(keep).flatMap((s, i) => {
    const behind = lead.accuracy! - (s.accuracy ?? 0);
    const noise = noiseBetween(s, lead);
    const chance = behind <= noise;
    if (chance && !options.timeBound) return [];
    const why = chance
      ? `, within chance of the best (±${pct(noise)} on ${Math.min(s.images, lead.images)} validation images), but the time budget cannot train every candidate to the end, so the better-placed one trains on`
      : '; under a time budget each round keeps the better half';
    return [
      {
        standing: s,
        reason: `ranked ${keep + i + 1} of ${ranked.length} by validation accuracy (${pct(s.accuracy)}) after ${s.epochsDone} epoch(s)${why}`,
      },
    ];
  });
}

/**
 * Whether a candidate's rounds are worth a replica (server/ml/replica.ts): starting one costs
 * about a second (a TensorFlow.js engine and wasm heap of its own) and each step copies the
 * weights both ways, so only when an epoch is seconds of arithmetic — by default 5·10^10
 * multiply-adds forward and backward (≈ 3× the forward pass): 4,000 images of 28×28 on the
 * generator's 2-conv network, 700 of 64×64×3 on its batch-norm one.
 */
export function replicaPays(options: { macs: number; trainImages: number; minEpochMacs: number }): boolean {
  return 3 * options.macs * options.trainImages >= options.minEpochMacs;
}

/**
 * Whether splitting each batch with a replica costs this network accuracy: batch norm then
 * normalises each part on its own statistics (28 and 36 images of 64). On all of Fashion-MNIST the
 * deeper batch-norm CNN lost 0.22 and 0.13 points of test accuracy at 15 epochs (two seeds), and
 * two whole batches a step, one on each core (a step of twice the batch), lost 0.27 at 25
 * (bench/recipe.ts --replica; docs/benchmarks.md, sessions 11–12). Without batch norm a split step
 * is the whole batch's step. Such a network trains with a replica only for epochs one core would not
 * give it in the time left (the handler's threadsPay); otherwise its runner's second core goes to
 * another candidate.
 */
export function replicaCosts(architecture: Pick<Architecture, 'layers'>): boolean {
  return architecture.layers.some((l) => l.kind === 'batchNorm');
}

/**
 * Cores each of `candidates` rounds may use when `runners` work: the runners' share, so that when
 * fewer candidates train than there are runners (a lone survivor, the refit) the idle runners'
 * cores go to them; 1 to `max`.
 */
export function roundThreads(runners: number, candidates: number, max: number): number {
  return Math.max(1, Math.min(max, Math.floor(runners / Math.max(1, candidates))));
}

/**
 * Under a time budget, which of the candidates not yet started may start now. Rounds end
 * together, so a candidate started beyond the runners waits for one while the others wait for it
 * at the round's end: on large data that cost the leaders a whole round of the budget (3
 * candidates, 2 runners, 60,000 images: 2 of about 7 epochs). So while the budget cannot train
 * every candidate to its cap (or before any pace is known), candidates start only as runners are
 * free for them (at least one), in the generator's order; the rest start when a runner comes free
 * — a candidate converges or is pruned. `busy` counts the runners the started candidates' rounds
 * use: a lone survivor whose rounds take the idle runner's core (roundThreads) leaves none free
 * (fashion-6000, 12 minutes: a third network started beside the leader took its second core for
 * two epochs and lost). When the budget has room for all, or without a budget, all start at once.
 */
export function startNow<T extends Pick<Standing, 'order'>>(
  waiting: readonly T[],
  options: { started: number; busy?: number; runners: number; budget: boolean; roomForAll: boolean },
): T[] {
  const ordered = [...waiting].sort((a, b) => a.order - b.order);
  if (!options.budget || options.roomForAll) return ordered;
  const free = Math.max(options.runners, 1) - Math.max(options.busy ?? 0, options.started);
  return ordered.slice(0, Math.max(free, options.started === 0 ? 1 : 0));
}

/**
 * How much faster an epoch runs with a replica on a second core than alone on one: 1.39× in
 * bench:train and 1.3–1.5× through the product on all of Fashion-MNIST (52 s against 66–80 s an
 * epoch) on the AMD EPYC, 1.16× on an Intel Xeon. The high end, so that a candidate last trained with
 * a replica is never counted faster on one core than it was seen to be.
 */
export const REPLICA_GAIN = 1.4;

/**
 * Whether the time left can train every live candidate to the epoch cap on these runners, one core
 * each, at the pace measured so far (a candidate not yet started is taken at the mean pace of the
 * others; one whose last round had a replica, at that pace slowed by REPLICA_GAIN); false while no
 * pace is known.
 */
export function roomForAll(options: {
  secondsLeft: number;
  runners: number;
  /**
   * Epochs each candidate has left to its cap, its last epoch's seconds (null: not started) and
   * the cores that epoch had (absent: 1).
   */
  candidates: ReadonlyArray<{ epochsLeft: number; secondsPerEpoch: number | null; threads?: number }>;
}): boolean {
  const onOneCore = (c: (typeof options.candidates)[number]) =>
    c.secondsPerEpoch === null ? null : c.secondsPerEpoch * ((c.threads ?? 1) > 1 ? REPLICA_GAIN : 1);
  const paces = options.candidates.map(onOneCore).filter((x): x is number => x !== null);
  if (!paces.length) return false;
  const mean = paces.reduce((a, b) => a + b, 0) / paces.length;
  const work = options.candidates.reduce((sum, c) => sum + c.epochsLeft * (onOneCore(c) ?? mean), 0);
  return (work * EPOCH_OVERHEAD) / Math.max(options.runners, 1) <= options.secondsLeft;
}

export interface Choice {
  winner: Standing;
  /** For people: how sure the choice is. */
  note: string;
}

/**
 * The candidate to promote: the leader, the best estimate there is; its note says how sure that
 * is — on few validation images, whether its lead is more than chance.
 */
export function choose(standings: readonly Standing[]): Choice | null {
  const lead = leader(standings);
  if (!lead) {
    // No validation images (a handful of images can split that way): nothing to compare on.
    const first = standings.filter((s) => s.epochsDone > 0).sort((a, b) => a.order - b.order)[0];
    if (!first) return null;
    return {
      winner: first,
      note: `${first.name} chosen without a comparison: the data has no validation images, so the first network in the generator's order that trained is served.`,
    };
  }
  const m = margin95(lead.accuracy!, lead.images);
  const others = standings.filter((s) => s.id !== lead.id && s.accuracy !== null);
  const close = others.filter((s) => lead.accuracy! - s.accuracy! <= noiseBetween(s, lead));
  const how =
    others.length === 0
      ? ''
      : close.length === 0
        ? ', clearly ahead of the others'
        : `; its lead over ${close.map((s) => s.name).join(' and ')} is within chance on so few images, so another run may choose differently`;
  return {
    winner: lead,
    note: `${lead.name} chosen: ${pct(lead.accuracy)} ± ${pct(m)} on ${lead.images} validation images${how}.`,
  };
}

/**
 * How many epochs a candidate's learning-rate schedule spans. With no budget, the epoch cap.
 * Under a budget, what the time left allows at the candidate's measured pace (never fewer than
 * it has done plus one round, never more than the cap), recomputed each round as the pace changes.
 */
export function scheduleEpochs(options: Pace): number {
  const { maxEpochs, epochsDone, roundEpochs, secondsLeft, secondsPerEpoch } = options;
  if (secondsLeft === null || !secondsPerEpoch) return maxEpochs;
  const fit = epochsDone + epochsThatFit(secondsLeft, secondsPerEpoch);
  return Math.min(maxEpochs, Math.max(epochsDone + roundEpochs, fit));
}

/**
 * The epoch a candidate's next round trains to, or null when it has none: at the epoch cap, or
 * under a budget when the time left cannot fit another whole epoch at its measured pace. An epoch
 * the deadline cuts short is lost work (checkpoints keep whole epochs), and it would be the
 * schedule's last, lowest-rate one.
 */
export function nextRoundEnd(options: Pace): number | null {
  const { maxEpochs, epochsDone, roundEpochs, secondsLeft, secondsPerEpoch } = options;
  const planned = Math.min(epochsDone + roundEpochs, maxEpochs);
  if (planned <= epochsDone) return null;
  if (secondsLeft === null || !secondsPerEpoch) return planned;
  const fit = epochsThatFit(secondsLeft, secondsPerEpoch);
  return fit >= 1 ? Math.min(planned, epochsDone + fit) : null;
}

export interface Pace {
  maxEpochs: number;
  epochsDone: number;
  roundEpochs: number;
  /** Until the budget's deadline; null without a budget. */
  secondsLeft: number | null;
  /** The training time of the candidate's last epoch; null before its first. */
  secondsPerEpoch: number | null;
}

/** An epoch's measured training time leaves out validation and the checkpoint: allow for them. */
const EPOCH_OVERHEAD = 1.15;

function epochsThatFit(secondsLeft: number, secondsPerEpoch: number): number {
  return Math.max(0, Math.floor(secondsLeft / (secondsPerEpoch * EPOCH_OVERHEAD)));
}

const MIN_EPOCH_CAP = 25;

/**
 * The epoch cap of a run whose user set none: what a network needs on this many training images:
 * small sets take many passes to give enough optimiser steps, large ones fewer. 60 at 100 images,
 * 45 at 1,000, 30 at 10,000, and never fewer than 25: on all of Fashion-MNIST (53,000 training
 * images) the batch-norm CNN was still gaining at 19 epochs, the cap this curve gave it
 * (validation 0.930 → 0.937 over its last five, the schedule's low-rate tail; bench:quality --full).
 * Under a time budget the schedule shrinks to what fits (scheduleEpochs). The deeper networks a
 * long budget buys on large data stop sooner (generate.ts epochCapOf).
 */
export function epochsFor(trainImages: number): number {
  const e = Math.round(60 - 15 * Math.log10(Math.max(1, trainImages) / 100));
  return Math.min(60, Math.max(MIN_EPOCH_CAP, e));
}

/** The accuracy the run judges a candidate by: the mean of its last (up to) three epochs. */
export function recentAccuracy(history: ReadonlyArray<{ valAccuracy?: number | null }>): number | null {
  const vals = history.map((h) => h.valAccuracy).filter((v): v is number => typeof v === 'number');
  if (!vals.length) return null;
  const last = vals.slice(-3);
  return last.reduce((a, b) => a + b, 0) / last.length;
}

export const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/**
 * Up to this many training images the chosen candidate is retrained with the validation images
 * added. Measured (bench/recipe.ts, Fashion-MNIST, the same epochs with and without): 440 training
 * images, 0.827–0.829 test accuracy against 0.817–0.825 (three seeds, each better); 4,440: 0.878–0.882
 * against 0.882 (two seeds, no gain), where the retraining would only add to the run's time.
 */
export const REFIT_MAX_TRAIN_IMAGES = 2000;

/**
 * Why the chosen candidate is not trained again from scratch, the same way (network, recipe,
 * epochs, schedule), on its training and validation images together before it is served; null
 * when it is. Not when the user asked to stop at the target (speed), on data large enough that
 * the extra images do not help (REFIT_MAX_TRAIN_IMAGES), when there are no validation images to
 * add, when there are no test images (the served network's accuracy must be measured on images
 * it never saw), or under a budget whose time left cannot fit the retraining at the candidate's pace.
 */
export function refitReason(options: {
  stopAtTarget: boolean;
  epochs: number;
  trainImages: number;
  validationImages: number;
  testImages: number;
  secondsLeft: number | null;
  secondsPerEpoch: number | null;
}): string | null {
  const { epochs, trainImages, validationImages, testImages, secondsLeft, secondsPerEpoch } = options;
  if (options.stopAtTarget) return 'the run stops at the target';
  if (epochs < 1) return 'the candidate trained no epoch';
  if (trainImages > REFIT_MAX_TRAIN_IMAGES) return `more than ${REFIT_MAX_TRAIN_IMAGES} training images`;
  if (validationImages === 0) return 'no validation images to add';
  if (testImages === 0) return 'no test images to measure the retrained network on';
  if (secondsLeft === null) return null;
  if (!secondsPerEpoch) return 'its pace is unknown';
  const needed = epochs * secondsPerEpoch * EPOCH_OVERHEAD * ((trainImages + validationImages) / trainImages);
  // Room for the promotion (test evaluation and export) after it, too.
  return needed + 30 <= secondsLeft ? null : 'the time budget has no room for it';
}
