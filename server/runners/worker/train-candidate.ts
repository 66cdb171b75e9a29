import * as tf from '../../ml/tf';
import { parseArchitecture, type Architecture } from '../../ml/architecture';
import type { BackendName } from '../../ml/backend';
import { buildModel } from '../../ml/build';
import { loadCheckpoint, type TrainingState } from '../../ml/checkpoint';
import type { Dataset } from '../../ml/dataset';
import { chooseMembers, ensembleModel, meanAccuracy, probabilitiesOn, type Member } from '../../ml/ensemble';
import { evaluateWithAnswers } from '../../ml/evaluate';
import { parseRecipe } from '../../ml/recipe';
import { saveModel, type ArtifactStore } from '../../ml/io';
import { GradientReplica } from '../../ml/replica';
import { train } from '../../ml/train';
import { availableParallelism } from 'node:os';
import { PermanentTaskError } from '../../tasks/task-types';
import { artifactPrefix, checkpointKey, heldOutKey, refitCheckpointKey } from '../../storage/keys';
import type { TaskType } from '../../tasks/task-type';
import type { EnsembleOutcome, TrainCandidatePayload } from '../../tasks/task-contract';
import type { RunnerHandler } from './handlers';

/** Restores a network's weights from its checkpoint; the training state, or null when it has none. */
async function restore(store: ArtifactStore, key: string, model: tf.LayersModel): Promise<TrainingState | null> {
  const optimizer = tf.train.adam();
  try {
    return await loadCheckpoint(store, key, model, optimizer);
  } finally {
    optimizer.dispose();
  }
}

/**
 * The network to export: the chosen one alone, or with those of its partners whose mean with it
 * is clearly better on the validation images (server/ml/ensemble.ts). A partner without a
 * checkpoint is passed over.
 */
async function withPartners(
  store: ArtifactStore,
  model: tf.LayersModel,
  arch: Architecture,
  p: TrainCandidatePayload,
  validation: Dataset,
): Promise<{ served: tf.LayersModel; ensemble?: EnsembleOutcome }> {
  const offered = p.partners ?? [];
  if (offered.length === 0 || validation.size === 0) return { served: model };
  const others: Array<Member & { candidateId: string }> = [];
  try {
    for (const partner of offered) {
      const architecture = parseArchitecture(partner.architecture);
      const other = buildModel(architecture, { seed: partner.seed });
      if (await restore(store, checkpointKey(p.modelId, partner.candidateId), other))
        others.push({ architecture, model: other, candidateId: partner.candidateId });
      else other.dispose();
    }
    const { truth, probabilities } = await probabilitiesOn([model, ...others.map((o) => o.model)], validation);
    const chosen = chooseMembers(probabilities, truth, arch.classes);
    const members = chosen.map((i) =>
      i === 0 ? { architecture: arch, model, candidateId: p.candidateId } : others[i - 1]!,
    );
    const ensemble: EnsembleOutcome = {
      members: members.map((m) => m.candidateId),
      offered: offered.map((o) => o.candidateId),
      validationImages: truth.length,
      aloneAccuracy: meanAccuracy([probabilities[0]!], truth, arch.classes),
      accuracy: meanAccuracy(
        chosen.map((i) => probabilities[i]!),
        truth,
        arch.classes,
      ),
    };
    // The ensemble holds copies of the weights: the partners' own models can go.
    return { served: members.length > 1 ? ensembleModel(members) : model, ensemble };
  } finally {
    for (const o of others) o.model.dispose();
  }
}

/**
 * One round of one candidate: resume from its checkpoint, train to `toEpoch` (or the deadline),
 * checkpoint each epoch. With `finalize`: restore the checkpoint, score the test split and export
 * the model in TensorFlow.js Layers format for serving. With `refit`: the chosen candidate trained
 * again from scratch on its training and validation images together (no validation, so no early
 * stopping: exactly `toEpoch` epochs), under a checkpoint of its own; with both, export that one.
 */
export const trainCandidate: RunnerHandler<TaskType.TRAIN_CANDIDATE> = async ({
  payload: p,
  signal,
  progress,
  data,
  datasets,
}) => {
  const arch = parseArchitecture(p.architecture);
  const dataset = await datasets.open(p.modelId, p.snapshot);
  // Split codes: 0 train, 1 validation, 2 test (dataset-index.ts).
  const parts = {
    train: dataset.images(0),
    validation: dataset.images(1),
    test: dataset.images(2),
    trainAndValidation: dataset.images(0, 1),
  };
  if (parts.train.size === 0) throw new PermanentTaskError('the dataset has no training images');
  const model = buildModel(arch, { seed: p.seed });
  const key = (p.refit ? refitCheckpointKey : checkpointKey)(p.modelId, p.candidateId);
  try {
    if (p.finalize) {
      const state = await restore(data.store, key, model);
      if (!state) throw new PermanentTaskError('the candidate has no checkpoint to promote');
      await progress({ phase: 'evaluating' });
      const { served, ensemble } = await withPartners(data.store, model, arch, p, parts.validation);
      try {
        const testSet = parts.test.size > 0 ? parts.test : parts.validation;
        const { evaluation, answers } = await evaluateWithAnswers(served, testSet);
        const prefix = artifactPrefix(p.modelId, p.candidateId);
        await saveModel(served, data.store, prefix, {
          candidateId: p.candidateId,
          epochs: state.epoch,
          ...(ensemble && ensemble.members.length > 1 ? { members: ensemble.members } : {}),
        });
        // Kept beside the export: the server chooses the class thresholds from them at promotion.
        await data.store.put(heldOutKey(p.modelId, p.candidateId), Buffer.from(JSON.stringify(answers)));
        return {
          evaluation,
          evaluatedOn: parts.test.size > 0 ? 'test' : 'validation',
          artifactKey: prefix,
          epochs: state.epoch,
          ...(ensemble ? { ensemble } : {}),
        };
      } finally {
        if (served !== model) served.dispose();
      }
    }

    // The wall-time budget ends the round after the epoch in progress is abandoned; the last
    // checkpoint keeps every completed epoch.
    const deadline = new AbortController();
    const timer = p.deadline
      ? setTimeout(() => deadline.abort(), Math.max(0, Date.parse(p.deadline) - Date.now()))
      : null;
    const started = Date.now();
    let lastEpochSeconds = 0;
    const recipe = parseRecipe(p.recipe);
    const trainSet = p.refit ? parts.trainAndValidation : parts.train;
    // A replica where the server gave this round a second core; libtensorflow uses every core already.
    // One that cannot start costs the round its second core, not the round: it trains alone.
    const backend = tf.getBackend() as BackendName;
    let replicaError: string | undefined;
    const replica =
      Math.min(p.threads ?? 1, availableParallelism()) > 1 && backend !== 'tensorflow'
        ? await GradientReplica.start({ architecture: arch, seed: p.seed, backend }).catch((err: Error) => {
            replicaError = err.message;
            return undefined;
          })
        : undefined;
    try {
      const result = await train(model, trainSet, {
        epochs: p.toEpoch,
        batchSize: p.batchSize,
        seed: p.seed,
        learningRate: recipe.learningRate,
        schedule: p.scheduleEpochs ? { epochs: p.scheduleEpochs, warmupEpochs: recipe.warmupEpochs } : undefined,
        weightDecay: recipe.weightDecay,
        labelSmoothing: recipe.labelSmoothing,
        augment: recipe.augment ?? undefined,
        patience: recipe.patience,
        monitor: 'either',
        validation: !p.refit && parts.validation.size > 0 ? parts.validation : undefined,
        signal: AbortSignal.any([signal, deadline.signal]),
        checkpoint: { store: data.store, key },
        replica,
        onBatch: (m) =>
          progress({
            phase: p.refit ? 'retraining' : 'training',
            epoch: m.epoch,
            batch: m.batch,
            batches: m.batches,
            loss: m.loss,
            accuracy: m.accuracy,
            imagesPerSecond: m.imagesPerSecond,
            epochSeconds: lastEpochSeconds,
          }),
        onEpoch: (m) => {
          lastEpochSeconds = m.seconds;
        },
      });
      if (signal.aborted) throw new Error('cancelled');
      return {
        epochs: result.epochs,
        stopReason: deadline.signal.aborted ? 'deadline' : result.stopReason,
        history: result.history,
        bestValAccuracy: result.bestValAccuracy,
        bestEpoch: result.bestEpoch,
        resumedFrom: result.resumedFrom,
        seconds: (Date.now() - started) / 1000,
        validationImages: p.refit ? 0 : parts.validation.size,
        trainImages: trainSet.size,
        ...(replica ? { threads: 2 } : {}),
        ...(replicaError ? { replicaError } : {}),
      };
    } finally {
      if (timer) clearTimeout(timer);
      await replica?.dispose();
    }
  } finally {
    model.dispose();
  }
};
