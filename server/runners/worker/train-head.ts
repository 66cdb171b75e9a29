import type * as tf from '../../ml/tf';
import { FeatureDataset } from '../../ml/dataset';
import type { Evaluation } from '../../ml/evaluate';
import { buildHead, evaluateHeads, headLabels, trainHead, withNoneOutput } from '../../ml/expand';
import { cachedFeatures } from '../../ml/feature-cache';
import { loadModel, saveModel, type ArtifactStore } from '../../ml/io';
import { mixSeed } from '../../ml/random';
import type { TrainResult } from '../../ml/train';
import type { TrainHeadPayload } from '../../tasks/task-contract';
import type { TaskType } from '../../tasks/task-type';
import type { RunnerHandler } from './handlers';

type HeadSpec = TrainHeadPayload['heads'][number];

/**
 * Trains the heads of an expansion on base features: the base only runs forward, over images the
 * feature cache lacks, and is never written. Every head learns its own classes plus "none of
 * mine" for every other image, so that probabilities compare across heads. The set is then scored
 * together, as it would serve, on held-out images (test split, else validation) of all its classes.
 */
export const trainHeadTask: RunnerHandler<TaskType.TRAIN_HEAD> = async ({
  payload: p,
  signal,
  progress,
  data,
  datasets,
}) => {
  const started = Date.now();
  const timings: Record<string, number> = {};
  let mark = started;
  const lap = (phase: string) => {
    timings[phase] = (Date.now() - mark) / 1000;
    mark = Date.now();
  };
  await progress({ phase: 'loading' });
  const dataset = await datasets.open(p.modelId, p.snapshot);
  const images = dataset.images();
  const base = await loadModel(data.store, p.baseKey);
  lap('loading');
  let cached;
  try {
    cached = await cachedFeatures(data.store, p.featuresKey, base, { ids: images.ids, images }, (done, total) =>
      progress({ phase: 'features', done, total }),
    );
  } finally {
    base.dispose();
  }
  lap('features');
  const size = cached.featureSize;
  // In the images' order (shard order when they are streamed): labels and split codes follow it.
  const labels = await images.labels();
  const row = new Map(dataset.index.ids.map((id, i) => [id, i]));
  const splits = Uint8Array.from(images.ids, (id) => dataset.index.splits[row.get(id)!]!);
  const split = (code: number) => rowsOf(cached.features, labels, size, (r) => splits[r] === code);
  const parts = { train: split(0), validation: split(1), test: split(2) };
  const models: tf.LayersModel[] = [];
  try {
    const results: TrainResult[] = [];
    for (const [i, spec] of p.heads.entries()) {
      const seed = mixSeed(p.seed, i);
      const model = await startingPoint(spec, size, data.store, seed);
      models.push(model);
      const local = (d: Part) => new FeatureDataset(size, d.features, headLabels(d.labels, spec.classIndexes));
      const result = await trainHead(model, local(parts.train), {
        epochs: spec.epochs,
        learningRate: spec.learningRate,
        batchSize: p.batchSize,
        seed,
        validation: parts.validation.labels.length > 0 ? local(parts.validation) : undefined,
        patience: 2,
        minDelta: 0.002,
        signal,
        onBatch: (m) =>
          progress({
            phase: 'training',
            head: i + 1,
            heads: p.heads.length,
            epoch: m.epoch,
            batch: m.batch,
            batches: m.batches,
            loss: m.loss,
            accuracy: m.accuracy,
            imagesPerSecond: m.imagesPerSecond,
          }),
      });
      if (signal.aborted) throw new Error('cancelled');
      results.push(result);
    }

    lap('training');
    await progress({ phase: 'evaluating' });
    const evaluatedOn = parts.test.labels.length > 0 ? 'test' : 'validation';
    // Images of classes no head of the set serves (too few images, or a removed head's) cannot be right.
    const served = new Set(p.heads.flatMap((h) => h.classIndexes));
    const from = parts[evaluatedOn];
    const heldOut = rowsOf(from.features, from.labels, size, (r) => served.has(from.labels[r]!));
    if (heldOut.labels.length === 0) throw new Error(`no ${evaluatedOn} images of the heads' classes to score them on`);
    const heads = p.heads.map((spec, i) => ({ model: models[i]!, classIds: spec.classIndexes }));
    const evaluation = await evaluateHeads(heads, new FeatureDataset(size, heldOut.features, heldOut.labels));
    const newClasses = p.heads.filter((h) => h.fromKey === null).flatMap((h) => h.classIndexes);
    lap('evaluating');

    // The feature cache was being stored while the heads trained.
    await cached.saved;
    for (const [i, spec] of p.heads.entries()) {
      await saveModel(models[i]!, data.store, spec.artifactKey, {
        headId: spec.headId,
        classIndexes: spec.classIndexes,
      });
    }
    return {
      heads: p.heads.map((spec, i) => ({
        headId: spec.headId,
        epochs: results[i]!.epochs,
        bestValAccuracy: results[i]!.bestValAccuracy,
        stopReason: results[i]!.stopReason,
        history: results[i]!.history,
      })),
      evaluation,
      evaluatedOn,
      newClassesAccuracy: accuracyOver(evaluation, (c) => newClasses.includes(c)),
      oldClassesAccuracy: accuracyOver(evaluation, (c) => !newClasses.includes(c)),
      features: { featureSize: size, reused: cached.reused, computed: cached.computed },
      seconds: (Date.now() - started) / 1000,
      timings: { ...timings, saving: (Date.now() - mark) / 1000 },
    };
  } finally {
    for (const m of models) m.dispose();
  }
};

/** The new head starts fresh; a copy of an active head starts from its weights, with a "none" output added if it has none. */
async function startingPoint(
  spec: HeadSpec,
  featureSize: number,
  store: ArtifactStore,
  seed: number,
): Promise<tf.LayersModel> {
  if (spec.fromKey === null) {
    return buildHead(featureSize, spec.classIndexes.length, { seed, noneOfMine: true, expandable: true });
  }
  const source = await loadModel(store, spec.fromKey);
  if (spec.fromNoneOutput) return source;
  const copy = withNoneOutput(source);
  source.dispose();
  return copy;
}

/** Feature vectors with their global class ids. */
interface Part {
  features: Float32Array;
  labels: Int32Array;
}

/** The rows of `features` (one vector per dataset image) that pass `keep`, in that order. */
function rowsOf(features: Float32Array, labels: Int32Array, size: number, keep: (row: number) => boolean): Part {
  const rows = [...labels.keys()].filter(keep);
  const out = new Float32Array(rows.length * size);
  rows.forEach((r, k) => out.set(features.subarray(r * size, (r + 1) * size), k * size));
  return { features: out, labels: Int32Array.from(rows, (r) => labels[r]!) };
}

/** Accuracy over the images whose true class passes `include`; null when there are none. */
function accuracyOver(e: Evaluation, include: (classIndex: number) => boolean): number | null {
  let right = 0;
  let total = 0;
  e.confusion.forEach((row, c) => {
    if (!include(c)) return;
    right += row[c]!;
    total += row.reduce((a, b) => a + b, 0);
  });
  return total ? right / total : null;
}
