// A checkpoint is everything needed to continue training exactly where it stopped: the model's
// weights (batch-norm statistics included), the optimizer's moments and step count, and the
// trainer's own state (epoch, history, early-stopping counters). It is one blob, written with a
// single put, so a crash mid-save can never pair new weights with an old epoch number.
import * as tf from './tf';
import type { ArtifactStore } from './io';
import { toArrayBuffer } from './io';

export interface EpochMetrics {
  /** 1-based number of the epoch just finished. */
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  imagesPerSecond: number;
  seconds: number;
}

export interface TrainingState {
  /** Epochs completed. */
  epoch: number;
  seed: number;
  history: EpochMetrics[];
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  /** Lowest validation loss so far (absent in checkpoints written before it was kept). */
  bestValLoss?: number | null;
  /** Epochs since the monitored validation figure last improved. */
  sinceBest: number;
  /** Set once early stopping fired, so a resumed call does not train on. */
  earlyStopped: boolean;
}

const MAGIC = 'PRCPTCK1';

interface Header {
  state: TrainingState;
  modelWeights: number;
  optimizerNames: string[];
  specs: tf.io.WeightsManifestEntry[];
}

export async function encodeCheckpoint(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: TrainingState,
): Promise<Buffer> {
  const modelWeights = model.getWeights();
  const optimizerWeights = await optimizer.getWeights();
  try {
    const named: Array<{ name: string; tensor: tf.Tensor }> = [
      ...modelWeights.map((tensor, i) => ({ name: `model/${i}`, tensor })),
      ...optimizerWeights.map((w, i) => ({ name: `optimizer/${i}`, tensor: w.tensor })),
    ];
    const { data, specs } = await tf.io.encodeWeights(named);
    const header: Header = {
      state,
      modelWeights: modelWeights.length,
      optimizerNames: optimizerWeights.map((w) => w.name),
      specs,
    };
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(json.length);
    return Buffer.concat([Buffer.from(MAGIC), length, json, Buffer.from(data)]);
  } finally {
    // getWeights returns the optimizer's live variables plus one fresh scalar (its step count);
    // only that scalar is ours to free.
    for (const w of optimizerWeights) if (w.name === 'iter') w.tensor.dispose();
  }
}

/**
 * Writes the checkpoint's weights into `model` and `optimizer` (a fresh one, not yet stepped)
 * and returns the trainer state. Throws if the checkpoint belongs to a different network.
 */
export async function restoreCheckpoint(
  blob: Buffer,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<TrainingState> {
  if (blob.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw new Error('not a Percept training checkpoint');
  const length = blob.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  const header = JSON.parse(blob.subarray(start, start + length).toString('utf8')) as Header;
  const tensors = tf.io.decodeWeights(toArrayBuffer(blob.subarray(start + length)), header.specs);
  const current = model.getWeights();
  try {
    const weights = current.map((_, i) => tensors[`model/${i}`]!);
    if (
      header.modelWeights !== current.length ||
      weights.some((w, i) => !w || !tf.util.arraysEqual(w.shape, current[i]!.shape))
    ) {
      throw new Error('checkpoint does not match this model (different architecture?)');
    }
    model.setWeights(weights);
    const optimizerWeights = header.optimizerNames.map((name, i) => ({ name, tensor: tensors[`optimizer/${i}`]! }));
    if (optimizerWeights.length > 0) await optimizer.setWeights(optimizerWeights);
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return header.state;
}

export async function saveCheckpoint(
  store: ArtifactStore,
  key: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: TrainingState,
): Promise<void> {
  await store.put(key, await encodeCheckpoint(model, optimizer, state), 'application/octet-stream');
}

/** Restores from `key` if a checkpoint is stored there; null when there is none. */
export async function loadCheckpoint(
  store: ArtifactStore,
  key: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<TrainingState | null> {
  const blob = await store.get(key);
  return blob ? restoreCheckpoint(blob, model, optimizer) : null;
}
