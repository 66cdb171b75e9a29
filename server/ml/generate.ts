// Candidate networks for a model, from the sample image's shape and the number of classes alone.
// A pure function: the same request always yields the same candidates (same ids), so the server
// can regenerate them and runners can rebuild them.
import {
  architectureId,
  countCost,
  type Architecture,
  type Family,
  type InputShape,
  type LayerSpec,
} from './architecture';

export interface GenerateOptions {
  inputShape: InputShape;
  classes: number;
  /** Classes will be added later: give the network room for them. */
  expandable?: boolean;
  /** How many candidates; 1 gives the single best-sized network. Default 1. */
  count?: number;
  /**
   * How many images the networks will train on, when known. From LARGE_DATA up every CNN gets
   * batch norm; without it the networks suit any amount of data.
   */
  trainImages?: number;
  /**
   * The run's time budget (null: none, it trains to convergence) and the cores it trains on, when
   * known. Where it would train the best-sized CNN well past where that network stops improving
   * (DEEPER_FROM_EPOCHS), and the data is large, the CNNs get one more convolution where their maps
   * are smallest.
   */
  budget?: { minutes: number | null; cores: number };
  /**
   * Every training image of a 3-channel model is grey (its three channels equal, as when grey
   * pictures are saved as RGB PNG or JPEG): the networks average the channels first (a fixed
   * 'greyscale' layer) and are otherwise a grey model's: three channels that say the same cost the
   * first convolution three times the arithmetic and a dense network three times its first
   * layer's weights, for nothing (docs/benchmarks.md, session 14).
   */
  greyContent?: boolean;
}

// Image side (geometric mean of height and width) at which the size level steps up:
// ≤12 → 0 (8×8), ≤24 → 1 (16×16), ≤48 → 2 (28×28, 32×32), ≤96 → 3 (64×64), ≤160 → 4, else 5.
const SIDE_STEPS = [12, 24, 48, 96, 160];
// Class count at which the width level steps up: ≤4 → 0, ≤16 → 1, ≤48 → 2, ≤128 → 3, else 4.
const CLASS_STEPS = [4, 16, 48, 128];
// Flattening more values than this into a dense layer costs more weights than it earns;
// beyond it the base ends in global average pooling instead.
const MAX_FLATTEN = 4096;
// Largest first dense layer of a plain dense network (inputs × units), about 1M weights.
const MAX_DENSE_WEIGHTS = 1_200_000;
// Training images from which batch norm pays on images of any size. On all of Fashion-MNIST's
// 53,000 (bench/recipe.ts, the 2-conv CNN, the default recipe) it gave 0.922 test accuracy after 6
// epochs against 0.918 without, and 0.934 after 15; an epoch takes about 1.2× as long
// (kernels/batch_norm.ts). Through the product at 30 minutes: 0.925 → 0.932. On small sets its
// moving statistics have few steps to settle, and it was not measured there.
export const LARGE_DATA = 20_000;
// Epochs of the best-sized network from which the budget goes to depth instead: the batch-norm
// 2-conv CNN stops improving by about 15 epochs on all of Fashion-MNIST (0.9338 test accuracy after
// 15, 0.9333 after 25), while one more convolution at its 7×7 maps gave 0.9366 after 15
// (bench/recipe.ts, docs/benchmarks.md session 10) at 1.4× the arithmetic. Measured on large data
// only: on small sets the limit is the data, not the network.
export const DEEPER_FROM_EPOCHS = 20;
// The epoch cap of a run of those deeper networks: on all of Fashion-MNIST one more convolution
// (3 conv 32→64→64) gave 0.9366 and 0.9364 test accuracy after 15 epochs, 0.9354 and 0.9359 after
// 25 (two seeds, whole batches; bench/recipe.ts, docs/benchmarks.md sessions 10–12): past 15 its
// training accuracy climbs to 0.99 and the test accuracy does not follow. A run that stops there
// on one core each leaves the other cores to other candidates instead of splitting batches
// (server/training/selection.ts replicaCosts).
export const DEEPER_EPOCH_CAP = 15;
// What a run trains per core and second, in forward multiply-adds per image × images: through the
// product on all of Fashion-MNIST the batch-norm 2-conv CNN (4.2M) trained 12 epochs in 12 minutes
// on 2 cores (session 8; 1.9e9) and 24 in 29 (session 9, beside other candidates; 1.6e9). A rough
// figure — CPUs differ — that only has to tell budgets of a few epochs from budgets of many.
const RUN_MACS_PER_CORE_SECOND = 1.7e9;

interface Context {
  inputShape: InputShape;
  /** The channels the networks tell apart: 1 where they average a grey model's RGB input first. */
  channels: number;
  classes: number;
  expandable: boolean;
  sizeLevel: number;
  /** Enough training images for batch norm to pay whatever the image size (LARGE_DATA). */
  largeData: boolean;
  /** Width level of the best-sized network; variants shift it by ±1, ±2. */
  width: number;
  /** The budget trains the best-sized network well past its plateau: a convolution more (DEEPER_FROM_EPOCHS). */
  deeper: boolean;
}

interface Draft {
  family: Family;
  name: string;
  layers: LayerSpec[];
  headStart: number;
}

export function generateCandidates(options: GenerateOptions): Architecture[] {
  const { inputShape, classes } = options;
  const count = options.count ?? 1;
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(
      `inputShape must be [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)}`,
    );
  }
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`classes must be an integer ≥ 2, got ${classes}`);
  if (!Number.isInteger(count) || count < 1) throw new Error(`count must be a positive integer, got ${count}`);

  const ctx = contextOf(options);
  const pool = candidatePool({ ...ctx, deeper: trainsPastPlateau(ctx, options) });
  const best = pool[0]!;
  const chosen = [best];
  // A smaller network is always worth a try when one exists: it may be as accurate and is cheaper.
  const smaller = pool.find((a) => a.params < best.params);
  if (count > 1 && smaller) chosen.push(smaller);
  for (const arch of pool) {
    if (chosen.length >= count) break;
    if (!chosen.includes(arch)) chosen.push(arch);
  }
  return chosen.slice(0, count);
}

function contextOf(options: GenerateOptions): Context {
  const { inputShape, classes } = options;
  const expandable = options.expandable ?? false;
  return {
    inputShape: [...inputShape],
    channels: options.greyContent ? 1 : inputShape[2],
    classes,
    expandable,
    sizeLevel: level(Math.sqrt(inputShape[0] * inputShape[1]), SIDE_STEPS),
    largeData: (options.trainImages ?? 0) >= LARGE_DATA,
    // Expandable models get one width step more: their classes are not all known yet.
    width: level(classes, CLASS_STEPS) + (expandable ? 1 : 0),
    deeper: false,
  };
}

/** Whether the budget trains the best-sized network of large data well past its plateau (DEEPER_FROM_EPOCHS). */
function trainsPastPlateau(ctx: Context, options: GenerateOptions): boolean {
  const best = candidatePool(ctx)[0]!;
  const { budget, trainImages } = options;
  if (!ctx.largeData || !budget || !trainImages || best.family !== 'cnn') return false;
  const epochs =
    budget.minutes === null ? Infinity : epochsWithin(budget.minutes, budget.cores, best.macs, trainImages);
  return epochs >= DEEPER_FROM_EPOCHS;
}

/**
 * The epoch cap the generated networks call for, or null for the run's usual one (epochsFor): the
 * deeper networks of large data reach their plateau sooner (DEEPER_EPOCH_CAP).
 */
export function epochCapOf(options: GenerateOptions): number | null {
  return trainsPastPlateau(contextOf(options), options) ? DEEPER_EPOCH_CAP : null;
}

/**
 * About how many epochs a budget trains a network of this many multiply-adds per image on this
 * many images, through a run (RUN_MACS_PER_CORE_SECOND).
 */
export function epochsWithin(minutes: number, cores: number, macs: number, trainImages: number): number {
  return (minutes * 60 * Math.max(1, cores) * RUN_MACS_PER_CORE_SECOND) / (macs * trainImages);
}

/** Every network worth a try for the context, the best-sized first, without repeats. */
function candidatePool(ctx: Context): Architecture[] {
  const [primary, ...others] = families([ctx.inputShape[0], ctx.inputShape[1], ctx.channels]);
  const second = others[0];
  const third = others[1];
  // Best size first, then a smaller one, then the other kinds, then larger and further variants.
  const plans: Array<[Family | undefined, number]> = [
    [primary, 0],
    [primary, -1],
    [second, 0],
    [primary, 1],
    [third, 0],
    [second, -1],
    [primary, -2],
    [third, -1],
    [second, 1],
    [third, 1],
    [primary, 2],
  ];
  const pool: Architecture[] = [];
  for (const [family, shift] of plans) {
    if (!family) continue;
    const arch = finish(ctx, BUILDERS[family](ctx, ctx.width + shift));
    if (!pool.some((a) => a.id === arch.id)) pool.push(arch);
  }
  return pool;
}

/** Kinds of network that make sense for the image, most suitable first. */
function families([h, w, c]: InputShape): Family[] {
  const side = Math.sqrt(h * w);
  const minSide = Math.min(h, w);
  const cnn = minSide >= 8;
  // Too thin to convolve: a dense network is all that is left, whatever the size.
  const dense = (side <= 32 && h * w * c <= 4096) || !cnn;
  const separable = minSide >= 32;
  const list: Family[] = [];
  // Convolutions win from 12 pixels up, even on grey 16×16 digits where a dense network looks
  // big enough (0.99 against 0.92 test accuracy, issue 13); below that they have little to slide over.
  if (dense && (minSide < 12 || !cnn)) list.push('dense');
  if (cnn) list.push('cnn');
  if (dense && !list.includes('dense')) list.push('dense');
  if (separable) list.push('separable');
  return list;
}

const BUILDERS: Record<Family, (ctx: Context, width: number) => Draft> = {
  dense: denseNet,
  cnn: convNet,
  separable: separableNet,
};

function denseNet(ctx: Context, width: number): Draft {
  const [h, w] = ctx.inputShape;
  const inputs = h * w * ctx.channels;
  let units = 32 * 2 ** clamp(width + Math.min(ctx.sizeLevel, 2), 0, 5);
  while (units > 32 && inputs * units > MAX_DENSE_WEIGHTS) units /= 2;
  // Expandable networks need a hidden layer in the head, so at least two hidden layers.
  const hidden = Math.max(1 + (ctx.sizeLevel >= 1 ? 1 : 0) + (width >= 3 ? 1 : 0), ctx.expandable ? 2 : 1);
  const layers: LayerSpec[] = [{ kind: 'flatten' }];
  const sizes: number[] = [];
  let headStart = 0;
  for (let i = 0; i < hidden; i++) {
    const u = Math.max(units >> i, 32);
    if (i === hidden - 1) headStart = layers.length;
    layers.push({ kind: 'dense', units: u, activation: 'relu' });
    if (u >= 128) layers.push({ kind: 'dropout', rate: 0.2 });
    sizes.push(u);
  }
  if (hidden === 1) headStart = layers.length;
  layers.push({ kind: 'dense', units: ctx.classes, activation: 'softmax' });
  return { family: 'dense', name: `Dense network, ${hidden} hidden (${sizes.join('→')})`, layers, headStart };
}

function convNet(ctx: Context, width: number): Draft {
  const sl = ctx.sizeLevel;
  const f0 = firstFilters(sl, width);
  const cap = width <= 1 ? 128 : 256;
  // Deeper networks on bigger images train markedly better with it, and so does any on large data.
  const batchNorm = sl >= 3 || ctx.largeData;
  const layers: LayerSpec[] = [];
  const conv = (filters: number, strides = 1) => {
    layers.push({ kind: 'conv2d', filters, kernelSize: 3, strides, activation: 'relu' });
    if (batchNorm) layers.push({ kind: 'batchNorm' });
  };
  const [h, w] = ctx.inputShape;
  // Sizes are judged by the geometric-mean side, so long thin images are treated by their area.
  const stem = downsample(Math.sqrt(h * w), (step) =>
    step === 0 ? conv(Math.max(8, f0 / 2), 2) : layers.push(pool()),
  );
  // Halve with conv blocks until the maps are small and few enough to flatten into the head.
  const stop = sl >= 3 ? 4 : 7;
  const filters: number[] = [];
  let halvings = stem.halvings;
  const side = (n: number) => Math.sqrt(Math.ceil(h / 2 ** n) * Math.ceil(w / 2 ** n));
  const flatAfter = (n: number, f: number) => Math.ceil(h / 2 ** n) * Math.ceil(w / 2 ** n) * f;
  do {
    filters.push(Math.min(f0 * 2 ** filters.length, cap));
    halvings++;
  } while (
    Math.min(h, w) > 2 ** halvings &&
    (side(halvings) > stop || flatAfter(halvings, filters.at(-1)!) > MAX_FLATTEN)
  );
  // Depth grows with image size; the extra convolutions go where the maps are smallest, so they
  // add depth at little cost.
  const extra = Math.min(2, Math.max(0, sl - 2) + (width >= 3 && sl >= 3 ? 1 : 0));
  filters.forEach((f, i) => {
    conv(f);
    if (i === filters.length - 1) for (let e = 0; e < extra; e++) conv(f);
    layers.push(pool());
  });
  // A long budget's extra depth: one convolution on the last, smallest maps, before the head.
  if (ctx.deeper) conv(filters.at(-1)!);
  layers.push({ kind: 'dropout', rate: 0.25 });
  const gap = flatAfter(halvings, filters.at(-1)!) > MAX_FLATTEN;
  layers.push(gap ? { kind: 'globalAveragePooling' } : { kind: 'flatten' });
  const head = headLayers(ctx.classes, width);
  const convs = filters.length + extra + (stem.halvings > 0 ? 1 : 0) + (ctx.deeper ? 1 : 0);
  const name = `CNN, ${convs} conv (${filters.join('→')})${batchNorm ? ' + batch norm' : ''}, ${gap ? 'global pooling' : 'flatten'}, dense ${head.hidden}`;
  return { family: 'cnn', name, layers: [...layers, ...head.layers], headStart: layers.length };
}

function separableNet(ctx: Context, width: number): Draft {
  const sl = ctx.sizeLevel;
  const f0 = firstFilters(sl, width);
  const cap = width <= 1 ? 256 : 512;
  const layers: LayerSpec[] = [];
  const sep = (filters: number) => {
    layers.push({ kind: 'separableConv2d', filters, kernelSize: 3, strides: 1, activation: 'relu' });
    layers.push({ kind: 'batchNorm' });
  };
  // Always one strided full convolution first: depthwise filters on raw pixels learn poorly.
  layers.push({ kind: 'conv2d', filters: f0, kernelSize: 3, strides: 2, activation: 'relu' }, { kind: 'batchNorm' });
  let r = Math.sqrt(ctx.inputShape[0] * ctx.inputShape[1]) / 2;
  while (r > 32) {
    layers.push(pool());
    r = Math.ceil(r / 2);
  }
  const blocks = halvingsUntil(r, 4);
  const extra = Math.min(2, Math.max(0, sl - 2) + (width >= 3 ? 1 : 0));
  const filters: number[] = [];
  for (let i = 0; i < blocks; i++) {
    const f = Math.min(f0 * 2 ** (i + 1), cap);
    filters.push(f);
    sep(f);
    if (i === blocks - 1) for (let e = 0; e < extra; e++) sep(f);
    layers.push(pool());
  }
  layers.push({ kind: 'globalAveragePooling' }, { kind: 'dropout', rate: 0.25 });
  const head = headLayers(ctx.classes, width);
  const name = `Separable CNN, ${blocks + extra} separable conv (${filters.join('→')}), global pooling, dense ${head.hidden}`;
  return { family: 'separable', name, layers: [...layers, ...head.layers], headStart: layers.length };
}

// Filters of the first conv block by size level (8×8 … 224×224), for about ten classes.
const BASE_FILTERS = [16, 16, 32, 32, 32, 32];
// Scale of the filters by width level: fewer classes need fewer features; many need more, but the
// cost of a convolution grows with the square of its width, so more slowly than the head.
const FILTER_SCALE = [0.25, 0.5, 1, 1, 1.5, 2];

function firstFilters(sizeLevel: number, width: number): number {
  const f = BASE_FILTERS[sizeLevel]! * FILTER_SCALE[clamp(width + 1, 0, FILTER_SCALE.length - 1)]!;
  return Math.max(8, Math.round(f / 8) * 8);
}

/**
 * The classifier every family ends in; also what new heads of expandable models are made of.
 * Width level 1 (about ten classes) gives dense 128.
 */
export function headLayers(classes: number, width: number): { layers: LayerSpec[]; hidden: number } {
  const hidden = 64 * 2 ** clamp(width, -1, 4);
  return {
    hidden,
    layers: [
      { kind: 'dense', units: hidden, activation: 'relu' },
      { kind: 'dropout', rate: 0.5 },
      { kind: 'dense', units: classes, activation: 'softmax' },
    ],
  };
}

/** The width level the generator would use for this many classes. */
export function widthLevel(classes: number, expandable: boolean): number {
  return level(classes, CLASS_STEPS) + (expandable ? 1 : 0);
}

/**
 * Big images are shrunk before the full-width blocks: one strided convolution, then pooling, until
 * the maps are at most 32 wide. A 224×224 network then costs about 30M multiply-adds per image
 * instead of several hundred million, which is the difference between minutes and hours per
 * epoch on a CPU runner.
 */
function downsample(size: number, add: (step: number) => void): { size: number; halvings: number } {
  let halvings = 0;
  while (size > 32) {
    add(halvings++);
    size = Math.ceil(size / 2);
  }
  return { size, halvings };
}

function halvingsUntil(size: number, stop: number): number {
  let n = 1;
  size = Math.ceil(size / 2);
  while (size > stop) {
    n++;
    size = Math.ceil(size / 2);
  }
  return n;
}

function pool(): LayerSpec {
  return { kind: 'maxPool', poolSize: 2, strides: 2 };
}

function finish(ctx: Context, draft: Draft): Architecture {
  const grey = ctx.channels < ctx.inputShape[2];
  const layers: LayerSpec[] = grey ? [{ kind: 'greyscale' }, ...draft.layers] : draft.layers;
  const { params, macs } = countCost(ctx.inputShape, layers);
  return {
    id: architectureId(draft.family, ctx.inputShape, ctx.classes, layers),
    family: draft.family,
    name: `${draft.name}${grey ? ', grey input' : ''}, ${formatCount(params)} params`,
    inputShape: ctx.inputShape,
    classes: ctx.classes,
    expandable: ctx.expandable,
    layers,
    headStart: draft.headStart + (grey ? 1 : 0),
    params,
    macs,
  };
}

function level(value: number, steps: readonly number[]): number {
  let i = 0;
  while (i < steps.length && value > steps[i]!) i++;
  return i;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${Math.round(n / 1e3)}k`;
  return String(n);
}
