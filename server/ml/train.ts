// Trains one candidate. A hand-written loop rather than model.fit: it gives per-batch progress,
// prompt cancellation, checkpoints that include the optimizer, and a replayable random stream
// (shuffle and dropout masks depend only on seed, epoch and batch), so that resuming at epoch k
// and training to N gives the same network as training to N in one go.
import * as tf from './tf';
import { LeanAdam } from './adam';
import { loadCheckpoint, saveCheckpoint, type EpochMetrics, type TrainingState } from './checkpoint';
import type { Augmentation } from './augment';
import { disposeBatch, type Batch, type Dataset } from './dataset';
import type { ArtifactStore } from './io';
import { mixSeed } from './random';
import type { GradientReplica } from './replica';
import { learningRateAt, type Schedule } from './schedule';

export type { EpochMetrics, TrainingState } from './checkpoint';

export interface BatchMetrics {
  /** 1-based epoch this batch belongs to. */
  epoch: number;
  /** 1-based batch number within the epoch. */
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  /** Training throughput so far in this epoch. */
  imagesPerSecond: number;
}

export interface TrainOptions {
  /** Train until this many epochs are complete in total (a resumed run counts earlier ones). */
  epochs: number;
  batchSize?: number;
  /** The peak rate when a schedule is given, else the constant rate. */
  learningRate?: number;
  /** Warm-up then cosine decay of the learning rate (schedule.ts); without it the rate is constant. */
  schedule?: Schedule;
  /** Decoupled weight decay (AdamW) on kernels, per unit of learning rate. */
  weightDecay?: number;
  /** Spread this much of each target's probability over all classes (training loss only). */
  labelSmoothing?: number;
  /** Random warps of the training images (augment.ts); validation images are never warped. */
  augment?: Augmentation;
  /** Seeds shuffling, augmentation and dropout. Weight initialisation is seeded by buildModel. */
  seed?: number;
  validation?: Dataset;
  /**
   * Stop when the monitored validation figure has not improved by more than minDelta for this
   * many epochs: accuracy (the default), or either — neither loss nor accuracy improved. On a
   * small validation set loss alone misleads: it rises with confidence in the few wrong answers
   * while accuracy still climbs.
   */
  patience?: number;
  minDelta?: number;
  monitor?: 'valAccuracy' | 'either';
  signal?: AbortSignal;
  onBatch?: (metrics: BatchMetrics) => void | Promise<void>;
  onEpoch?: (metrics: EpochMetrics) => void | Promise<void>;
  /** Save a checkpoint every `everyEpochs` (default 1) epochs and when training ends. */
  checkpoint?: { store: ArtifactStore; key: string; everyEpochs?: number };
  /** Continue from the checkpoint at `checkpoint.key` if there is one. Default true. */
  resume?: boolean;
  /**
   * A copy of the network in another thread that computes the gradients of part of each batch
   * (replica.ts): up to about twice the pace where a core is free. The sample stream is the same;
   * the dropout masks and batch-norm statistics are per part, so a run resumes exactly only with a
   * replica again (or again without).
   */
  replica?: GradientReplica;
}

export type StopReason = 'completed' | 'early-stopped' | 'aborted';

export interface TrainResult {
  /** Epochs completed (an aborted epoch does not count). */
  epochs: number;
  stopReason: StopReason;
  history: EpochMetrics[];
  bestEpoch: number | null;
  bestValAccuracy: number | null;
  /** The epoch training resumed from (0 for a fresh start). */
  resumedFrom: number;
}

export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_LEARNING_RATE = 1e-3;

/**
 * Trains `model` (as built by buildModel, or restored from a checkpoint here) on `data`.
 * The caller keeps the model; everything else the loop allocates is freed before it returns.
 * When aborted mid-epoch the model holds part of an epoch's updates; the last checkpoint does not.
 */
export async function train(model: tf.LayersModel, data: Dataset, options: TrainOptions): Promise<TrainResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const classes = outputClasses(model);
  const peak = options.learningRate ?? DEFAULT_LEARNING_RATE;
  const optimizer = new LeanAdam(peak);
  try {
    let state: TrainingState = {
      epoch: 0,
      seed: options.seed ?? 0,
      history: [],
      bestValAccuracy: null,
      bestEpoch: null,
      sinceBest: 0,
      earlyStopped: false,
    };
    if (options.checkpoint && options.resume !== false) {
      const restored = await loadCheckpoint(options.checkpoint.store, options.checkpoint.key, model, optimizer);
      if (restored) state = restored;
    }
    // A resumed run replays the stream it started with, whatever seed this call passes.
    const seed = state.seed;
    const resumedFrom = state.epoch;
    const result = (stopReason: StopReason): TrainResult => ({
      epochs: state.epoch,
      stopReason,
      history: state.history,
      bestEpoch: state.bestEpoch,
      bestValAccuracy: state.bestValAccuracy,
      resumedFrom,
    });
    if (state.earlyStopped) return result('early-stopped');

    // An out-of-range label would one-hot to zeros and train on silently with zero loss.
    await checkLabels(data, classes, 'training');
    if (options.validation) await checkLabels(options.validation, classes, 'validation');
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    // Decay kernels only: biases and batch-norm scales are not what overfits.
    const decayed = options.weightDecay ? variables.filter((v) => v.rank > 1) : [];
    const smoothing = options.labelSmoothing ?? 0;
    const dropouts = model.layers.filter((l) => l.getClassName() === 'Dropout');
    const batches = Math.ceil(data.size / batchSize);
    const step: Step = { model, optimizer, variables, classes, smoothing };
    const every = options.checkpoint?.everyEpochs ?? 1;

    while (state.epoch < options.epochs) {
      const epoch = state.epoch; // 0-based index of the epoch being trained
      const started = performance.now();
      let seen = 0;
      let lossSum = 0;
      let correctSum = 0;
      let batch = 0;
      for await (const b of data.batches({ batchSize, shuffleSeed: seed, epoch, augment: options.augment })) {
        try {
          if (options.signal?.aborted) return result('aborted');
          reseedDropout(dropouts, seed, epoch, batch);
          const rate = options.schedule
            ? learningRateAt(peak, options.schedule, epoch * batches + batch, batches)
            : peak;
          setLearningRate(optimizer, rate);
          const [l, c] =
            options.replica && b.size > 1
              ? await splitStep(
                  step,
                  b,
                  options.replica,
                  dropouts.map((_, i) => mixSeed(seed, epoch, batch, i, REPLICA)),
                )
              : await wholeStep(step, b);
          if (decayed.length) applyWeightDecay(decayed, rate * options.weightDecay!);
          seen += b.size;
          lossSum += l * b.size;
          correctSum += c;
          batch++;
          if (!Number.isFinite(l)) throw new Error(`loss became ${l} at epoch ${epoch + 1}, batch ${batch}`);
          await options.onBatch?.({
            epoch: epoch + 1,
            batch,
            batches,
            loss: l,
            accuracy: c / b.size,
            imagesPerSecond: seen / ((performance.now() - started) / 1000),
          });
        } finally {
          disposeBatch(b);
        }
        // Let timers, IPC and abort events through between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (options.signal?.aborted) return result('aborted');
      const seconds = (performance.now() - started) / 1000;
      const metrics: EpochMetrics = {
        epoch: epoch + 1,
        loss: lossSum / Math.max(seen, 1),
        accuracy: correctSum / Math.max(seen, 1),
        imagesPerSecond: seen / seconds,
        seconds,
      };
      if (options.validation) {
        const v = await lossAndAccuracy(model, options.validation, batchSize, classes, options.signal);
        if (!v) return result('aborted');
        metrics.valLoss = v.loss;
        metrics.valAccuracy = v.accuracy;
      }
      state = nextState(state, metrics, options);
      if (options.checkpoint && (state.epoch % every === 0 || state.epoch >= options.epochs || state.earlyStopped)) {
        await saveCheckpoint(options.checkpoint.store, options.checkpoint.key, model, optimizer, state);
      }
      await options.onEpoch?.(metrics);
      if (state.earlyStopped) return result('early-stopped');
    }
    return result('completed');
  } finally {
    optimizer.dispose();
  }
}

/** Salt of the replica's dropout seeds, so its masks differ from the caller's half. */
const REPLICA = 0x5e911ca;

/**
 * The replica's part of each batch: a little over half, as this thread also assembles the batch,
 * averages the gradients and takes the optimizer step while the replica waits (an A/B against an
 * even split was within the noise of this machine). Fixed, so that a resumed run splits its
 * batches as the straight one did.
 */
const REPLICA_SHARE = 9 / 16;

interface Step {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  variables: tf.Variable[];
  classes: number;
  smoothing: number;
}

/** One optimizer step on the whole batch; its mean loss and how many it classified right. */
async function wholeStep(s: Step, b: Batch): Promise<[number, number]> {
  let correct: tf.Scalar | undefined;
  const loss = s.optimizer.minimize(
    () => {
      const probs = s.model.apply(b.xs, { training: true }) as tf.Tensor;
      correct = tf.keep(countCorrect(probs, b.labels));
      return crossEntropy(probs, b.labels, s.classes, s.smoothing);
    },
    true,
    s.variables,
  )!;
  const [l, c] = await Promise.all([loss.data(), correct!.data()]);
  tf.dispose([loss, correct!]);
  return [l[0]!, c[0]!];
}

/**
 * One optimizer step with the end of the batch on `replica`: both parts' gradients are computed
 * at the same weights, at the same time, and averaged by size — the gradient of the whole batch's
 * mean loss — before the one update.
 */
async function splitStep(
  s: Step,
  b: Batch,
  replica: GradientReplica,
  dropoutSeeds: number[],
): Promise<[number, number]> {
  const theirs = Math.round(b.size * REPLICA_SHARE);
  const mine = b.size - theirs;
  const [xa, xb] = tf.split(b.xs, [mine, theirs]);
  const [ya, yb] = tf.split(b.labels, [mine, theirs]);
  let correct: tf.Scalar | undefined;
  try {
    const pending = replica.gradients({
      weights: s.model.weights.map((w) => (w.read().dataSync() as Float32Array).slice()),
      xs: (xb!.dataSync() as Float32Array).slice(),
      count: theirs,
      labels: Int32Array.from(yb!.dataSync()),
      dropoutSeeds,
      labelSmoothing: s.smoothing,
    });
    // Computed while the replica works; a failure there is raised after this part is done (and
    // is not left unhandled if this part throws first).
    pending.catch(() => {});
    const { value, grads } = tf.variableGrads(() => {
      const probs = s.model.apply(xa!, { training: true }) as tf.Tensor;
      correct = tf.keep(countCorrect(probs, ya as tf.Tensor1D));
      return crossEntropy(probs, ya as tf.Tensor1D, s.classes, s.smoothing);
    }, s.variables);
    try {
      const other = await pending;
      const averaged = tf.tidy(() =>
        Object.fromEntries(
          s.variables.map((v, i) => [
            v.name,
            tf.add(tf.mul(grads[v.name]!, mine / b.size), tf.mul(tf.tensor(other.grads[i]!, v.shape), theirs / b.size)),
          ]),
        ),
      );
      s.optimizer.applyGradients(averaged);
      tf.dispose(Object.values(averaged));
      const loss = (value.dataSync()[0]! * mine + other.loss * theirs) / b.size;
      return [loss, correct!.dataSync()[0]! + other.correct];
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  } finally {
    tf.dispose([xa!, xb!, ya!, yb!]);
    if (correct) correct.dispose();
  }
}

function nextState(state: TrainingState, metrics: EpochMetrics, options: TrainOptions): TrainingState {
  const next: TrainingState = { ...state, epoch: metrics.epoch, history: [...state.history, metrics] };
  if (metrics.valAccuracy === undefined || metrics.valLoss === undefined) return next;
  const minDelta = options.minDelta ?? 0;
  const accuracyImproved = state.bestValAccuracy === null || metrics.valAccuracy > state.bestValAccuracy + minDelta;
  if (accuracyImproved) {
    next.bestValAccuracy = metrics.valAccuracy;
    next.bestEpoch = metrics.epoch;
  }
  const lossImproved = state.bestValLoss == null || metrics.valLoss < state.bestValLoss - minDelta;
  if (lossImproved) next.bestValLoss = metrics.valLoss;
  const improved = options.monitor === 'either' ? lossImproved || accuracyImproved : accuracyImproved;
  next.sinceBest = improved ? 0 : state.sinceBest + 1;
  if (options.patience !== undefined && next.sinceBest >= options.patience) next.earlyStopped = true;
  return next;
}

/** tfjs's Adam reads its rate at every step; it has no public setter. */
function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = rate;
}

/** AdamW's decoupled decay: w ← w · (1 − rate · decay), after the gradient step. */
function applyWeightDecay(kernels: tf.Variable[], amount: number): void {
  tf.tidy(() => {
    for (const v of kernels) v.assign(tf.mul(v, 1 - amount));
  });
}

/**
 * tfjs draws a dropout mask from the layer's fixed seed, so every batch would drop the same
 * units; without a seed it uses Math.random and cannot be replayed. A fresh seed per batch,
 * derived from (seed, epoch, batch), gives both variety and replay. Dropout reads `seed` at call
 * time; it is not part of tfjs's typings.
 */
function reseedDropout(layers: tf.layers.Layer[], seed: number, epoch: number, batch: number): void {
  layers.forEach((layer, i) => {
    (layer as unknown as { seed: number }).seed = mixSeed(seed, epoch, batch, i);
  });
}

/**
 * Mean categorical cross-entropy of softmax outputs, clipped as Keras does; with `smoothing`, the
 * targets are (1 − smoothing) on the true class plus smoothing / classes on every class.
 */
export function crossEntropy(probs: tf.Tensor, labels: tf.Tensor1D, classes: number, smoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const hard = tf.oneHot(labels, classes);
    const oneHot = smoothing > 0 ? tf.add(tf.mul(hard, 1 - smoothing), smoothing / classes) : hard;
    const logp = tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7));
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logp), -1)));
  });
}

export function countCorrect(probs: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), labels), 'float32')));
}

/**
 * Loss and accuracy in inference mode (dropout off, batch-norm moving statistics); null if
 * `signal` aborted it.
 */
export async function lossAndAccuracy(
  model: tf.LayersModel,
  data: Dataset,
  batchSize: number,
  classes = outputClasses(model),
  signal?: AbortSignal,
): Promise<{ loss: number; accuracy: number } | null> {
  let seen = 0;
  let loss = 0;
  let correct = 0;
  for await (const b of data.batches({ batchSize })) {
    try {
      if (signal?.aborted) return null;
      const [l, c] = tf.tidy(() => {
        const probs = model.apply(b.xs, { training: false }) as tf.Tensor;
        return [crossEntropy(probs, b.labels, classes), countCorrect(probs, b.labels)];
      });
      const [lv, cv] = await Promise.all([l.data(), c.data()]);
      tf.dispose([l, c]);
      loss += lv[0]! * b.size;
      correct += cv[0]!;
      seen += b.size;
    } finally {
      disposeBatch(b);
    }
  }
  return { loss: loss / Math.max(seen, 1), accuracy: correct / Math.max(seen, 1) };
}

async function checkLabels(data: Dataset, classes: number, what: string): Promise<void> {
  const labels = await data.labels();
  const bad = labels.findIndex((l) => l >= classes);
  if (bad >= 0)
    throw new Error(`${what} label ${labels[bad]} (sample ${bad}) is out of range for a model of ${classes} classes`);
}

export function outputClasses(model: tf.LayersModel): number {
  const shape = model.outputs[0]!.shape;
  return shape[shape.length - 1]!;
}
