// How Percept trains a candidate unless told otherwise, measured on real images (bench/recipe.ts;
// figures in docs/benchmarks.md) against the constant-rate Adam it replaced.
import { seesColour, type Architecture } from './architecture';
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
  // 2e-3 rather than Adam's customary 1e-3: at the epochs a budget allows, 1e-3 left the networks
  // short of fitting their training images (Fashion-MNIST, 500 a class, 15 epochs: 0.866–0.870
  // against 0.882 at 2e-3 and 3e-3; 50 a class, 45 epochs: 0.812–0.820 against 0.821–0.825).
  learningRate: 2e-3,
  warmupEpochs: 1,
  weightDecay: 0,
  labelSmoothing: 0.1,
  // Shifted images cost Fashion-MNIST 3 to 5 points (centred items; bench/recipe.ts) and help
  // data whose objects wander: so they are a candidate of their own (planCandidates), and
  // validation decides.
  augment: null,
  patience: 8,
};

// Mirroring alone: no shifts, rotation or scaling.
const MIRROR_ONLY: Augmentation = { shift: 0, rotate: 0, scale: 0, flip: true };

export interface PlannedCandidate {
  architecture: Architecture;
  recipe: Recipe;
  /** The architecture's name, plus how it trains when that is not the default. */
  name: string;
}

/**
 * The generator's networks, each with its recipe. From three candidates up, the second slot
 * trains the best-sized network again on randomly shifted (colour: and mirrored) images, so that
 * validation decides whether that helps this data; the networks after it move down one place.
 * With `partner` — the budget trains the best-sized network of large data past its plateau
 * (generate.ts epochCapOf), so two of them can train side by side — that twin trains on mirrored
 * images only: there it serves best as a partner the run may average with the plain network
 * (server/ml/ensemble.ts). On all of Fashion-MNIST, 3 conv 32→64→64 with batch norm, 15 epochs
 * (bench/recipe.ts): shifted, a 2-conv network trailed the plain one by 1.2 points of test accuracy
 * and no shifted twin outlived a run's first round; mirrored, 0.9333 against the plain 0.9349, and
 * the mean of the two 0.938. Where mirroring is wrong (text; not measured), the twin should trail
 * and the mean not be clearly better on validation, so that the plain network serves alone. Where
 * the budget is short, the twin is a rival for the leader's cores rather than a partner, and stays
 * shifted: a mirrored one may lead after the first round (it did, 0.8996 against 0.8968, through
 * the product) and then trains alone, though on Fashion-MNIST mirrored images cost a network
 * 0.16–0.43 points alone.
 */
export function planCandidates(
  architectures: readonly Architecture[],
  count: number,
  options: { partner?: boolean } = {},
): PlannedCandidate[] {
  const plain = (a: Architecture): PlannedCandidate => ({ architecture: a, recipe: DEFAULT_RECIPE, name: a.name });
  const [primary, ...others] = architectures;
  if (!primary) return [];
  if (count < 3) return architectures.slice(0, count).map(plain);
  // Mirrored too where the images are colour photographs' size: a mirrored dog is a dog. Digits
  // and text are mostly grey and small; where they are not, the plain candidate wins on validation.
  const [h, w] = primary.inputShape;
  const flip = seesColour(primary) && Math.min(h, w) >= 32;
  const twin: PlannedCandidate = options.partner
    ? {
        architecture: primary,
        recipe: { ...DEFAULT_RECIPE, augment: MIRROR_ONLY },
        name: `${primary.name}, trained on mirrored images`,
      }
    : {
        architecture: primary,
        recipe: { ...DEFAULT_RECIPE, augment: { ...DEFAULT_AUGMENTATION, flip } },
        name: `${primary.name}, trained on shifted${flip ? ' and mirrored' : ''} images`,
      };
  return [plain(primary), twin, ...others.map(plain)].slice(0, count);
}

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
