// How Percept trains a candidate unless told otherwise. Each choice was measured on real images
// (bench/recipe.ts; figures in docs/benchmarks.md) against the constant-rate Adam it replaced.
import { DEFAULT_AUGMENTATION, parseAugmentation, type Augmentation } from './augment';

export interface Recipe {
  /** Peak learning rate (Adam), reached after the warm-up and decayed by a cosine to the end. */
  learningRate: number;
  warmupEpochs: number;
  /** Decoupled weight decay (AdamW), per unit of learning rate. */
  weightDecay: number;
  labelSmoothing: number;
  /** Random warps of training images; null for none (feature vectors, images too small to warp). */
  augment: Augmentation | null;
  /** Epochs without a better validation loss after which a candidate counts as converged. */
  patience: number;
}

export const DEFAULT_RECIPE: Recipe = {
  learningRate: 1e-3,
  warmupEpochs: 1,
  weightDecay: 0,
  labelSmoothing: 0.1,
  augment: DEFAULT_AUGMENTATION,
  patience: 5,
};

/** A recipe from outside (a task payload), checked; absent fields take the defaults. */
export function parseRecipe(value: unknown): Recipe {
  const r = { ...DEFAULT_RECIPE, ...((value ?? {}) as Partial<Recipe>) };
  const num = (x: unknown, lo: number, hi: number) => typeof x === 'number' && x >= lo && x <= hi;
  if (
    !num(r.learningRate, 1e-6, 1) ||
    !num(r.warmupEpochs, 0, 100) ||
    !num(r.weightDecay, 0, 1) ||
    !num(r.labelSmoothing, 0, 0.5) ||
    !num(r.patience, 1, 1000)
  ) {
    throw new Error(`not a training recipe: ${JSON.stringify(value)}`);
  }
  return { ...r, augment: r.augment === null ? null : parseAugmentation(r.augment) };
}
