// Classifying images with a trained model: load once, then classify batches of decoded images.
// Two shapes of model: a plain one (image → class probabilities) and an expandable one split
// into a base and several heads, each head covering some of the classes.
import * as tf from './tf';
import { imagesToTensor } from './dataset';
import { loadModel, type ArtifactStore } from './io';

export interface ClassScore {
  /** Class index: the model's output index, or for multi-head models the global class id. */
  classIndex: number;
  probability: number;
}

/** Images are classified this many at a time so that a large request cannot exhaust memory. */
const CHUNK = 32;

export class ImageClassifier {
  constructor(readonly model: tf.LayersModel) {}

  static async load(store: ArtifactStore, prefix: string): Promise<ImageClassifier> {
    return new ImageClassifier(await loadModel(store, prefix));
  }

  get inputShape(): [number, number, number] {
    const [, h, w, c] = this.model.inputs[0]!.shape;
    return [h!, w!, c!];
  }

  get classes(): number {
    return this.model.outputs[0]!.shape.at(-1)!;
  }

  /** Top `topK` classes per image, most probable first. Pixels are HWC bytes of inputShape. */
  async classify(images: readonly Uint8Array[], topK = 5): Promise<ClassScore[][]> {
    const out: ClassScore[][] = [];
    for (let i = 0; i < images.length; i += CHUNK) {
      const chunk = images.slice(i, i + CHUNK);
      const probs = tf.tidy(() => this.model.predict(imagesToTensor(chunk, this.inputShape)) as tf.Tensor);
      const data = await probs.data();
      probs.dispose();
      for (let j = 0; j < chunk.length; j++) {
        const row = data.subarray(j * this.classes, (j + 1) * this.classes) as Float32Array;
        out.push(
          rank(
            Array.from(row, (probability, classIndex) => ({ classIndex, probability })),
            topK,
          ),
        );
      }
    }
    return out;
  }

  dispose(): void {
    this.model.dispose();
  }
}

export interface ClassifierHead {
  /** Features → probabilities; one output per entry of classIds, plus a last "none of mine" output if it was trained with one. */
  model: tf.LayersModel;
  /**
   * Global class id of each of the head's own outputs, in output order. null marks an output that
   * is no longer served (its class was deleted): it is computed but never reported.
   */
  classIds: readonly (number | null)[];
}

/**
 * An expandable model in service: the base runs once per image, its features go through every
 * head, each head's outputs are mapped to global class ids, and the most probable class wins.
 * A head's "none of mine" output is not a class and is dropped. Heads trained with the other
 * heads' classes as negatives give probabilities that compare across heads.
 */
export class MultiHeadClassifier {
  constructor(
    readonly base: tf.LayersModel,
    readonly heads: readonly ClassifierHead[],
  ) {
    checkHeads(heads);
  }

  get inputShape(): [number, number, number] {
    const [, h, w, c] = this.base.inputs[0]!.shape;
    return [h!, w!, c!];
  }

  async classify(images: readonly Uint8Array[], topK = 5): Promise<ClassScore[][]> {
    const out: ClassScore[][] = [];
    for (let i = 0; i < images.length; i += CHUNK) {
      const chunk = images.slice(i, i + CHUNK);
      const features = tf.tidy(() => this.base.predict(imagesToTensor(chunk, this.inputShape)) as tf.Tensor);
      try {
        out.push(...(await classifyFeatures(this.heads, features, topK)));
      } finally {
        features.dispose();
      }
    }
    return out;
  }

  dispose(): void {
    this.base.dispose();
    for (const h of this.heads) h.model.dispose();
  }
}

/** Checks that heads fit their class lists and that no class is served twice. */
export function checkHeads(heads: readonly ClassifierHead[]): void {
  const seen = new Set<number>();
  for (const head of heads) {
    const outputs = head.model.outputs[0]!.shape.at(-1)!;
    if (outputs !== head.classIds.length && outputs !== head.classIds.length + 1) {
      throw new Error(`a head with ${outputs} outputs cannot serve ${head.classIds.length} classes`);
    }
    for (const id of head.classIds) {
      if (id === null) continue;
      if (seen.has(id)) throw new Error(`class ${id} is served by two heads`);
      seen.add(id);
    }
  }
}

/**
 * Top `topK` global classes per row of `features` (base outputs, [n, featureSize]) across heads:
 * what MultiHeadClassifier answers, and what head evaluation scores on cached features.
 */
export async function classifyFeatures(
  heads: readonly ClassifierHead[],
  features: tf.Tensor,
  topK: number,
): Promise<ClassScore[][]> {
  const perHead = tf.tidy(() => heads.map((h) => h.model.predict(features) as tf.Tensor));
  const data = await Promise.all(perHead.map((t) => t.data()));
  const widths = perHead.map((t) => t.shape.at(-1)!);
  tf.dispose(perHead);
  const rows = features.shape[0]!;
  const out: ClassScore[][] = [];
  for (let j = 0; j < rows; j++) {
    const scores: ClassScore[] = [];
    heads.forEach((head, h) => {
      head.classIds.forEach((classIndex, k) => {
        if (classIndex !== null) scores.push({ classIndex, probability: data[h]![j * widths[h]! + k]! });
      });
    });
    out.push(rank(scores, topK));
  }
  return out;
}

/** Most probable first; ties broken by class index so results are stable. */
function rank(scores: ClassScore[], topK: number): ClassScore[] {
  return scores
    .sort((a, b) => b.probability - a.probability || a.classIndex - b.classIndex)
    .slice(0, Math.max(1, topK));
}
