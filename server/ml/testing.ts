// Helpers shared by the ML tests (and usable by benchmarks): switching backends, and the grid of
// inputs the generator is checked over.
import { initBackend, trainingUnsupportedReason, type BackendName } from './backend';
import { architectureId, countCost, type Architecture, type InputShape, type LayerSpec } from './architecture';
import { InMemoryImageDataset } from './dataset';
import { generateCandidates, LARGE_DATA } from './generate';
import { syntheticImages } from './synthetic';

/** Backends every training test runs on. */
export const TRAINING_BACKENDS = ['cpu', 'wasm'] as const satisfies readonly BackendName[];

/**
 * Activates `backend` and returns why it cannot train, or null when it can. Stock wasm lacks
 * gradient kernels until Percept's are registered, and tests then skip with this reason.
 */
export async function useTrainingBackend(
  backend: BackendName,
  options: { separable?: boolean } = {},
): Promise<string | null> {
  await initBackend(backend);
  return trainingUnsupportedReason(options);
}

export const GRID_SHAPES: InputShape[] = [
  [8, 8, 1],
  [16, 16, 3],
  [28, 28, 1],
  [32, 32, 3],
  [64, 64, 3],
  [128, 128, 1],
  [224, 224, 3],
];
export const GRID_CLASSES = [2, 10, 100];

/**
 * Every distinct architecture the generator emits over the grid, for counts 1 to 4, small data and
 * large, and for grey images of the smaller colour shapes.
 */
export function gridArchitectures(): Architecture[] {
  const byId = new Map<string, Architecture>();
  for (const inputShape of GRID_SHAPES) {
    for (const classes of GRID_CLASSES) {
      for (const expandable of [false, true]) {
        for (let count = 1; count <= 4; count++) {
          for (const trainImages of [undefined, LARGE_DATA]) {
            for (const arch of generateCandidates({ inputShape, classes, expandable, count, trainImages }))
              byId.set(arch.id, arch);
          }
        }
      }
    }
  }
  // Grey images in a colour model's shape: the networks average the channels first.
  for (const inputShape of GRID_SHAPES.filter(([h, , c]) => c === 3 && h <= 64)) {
    for (const expandable of [false, true]) {
      for (const arch of generateCandidates({ inputShape, classes: 10, expandable, count: 4, greyContent: true }))
        byId.set(arch.id, arch);
    }
  }
  return [...byId.values()];
}

/** Max absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/**
 * A tiny CNN. With batch norm it has every layer kind whose state a resume must carry; without,
 * it learns in few steps (batch norm's moving statistics need hundreds of steps to settle, and
 * validation runs on them).
 */
export function tinyTestCnn(shape: InputShape, classes: number, batchNorm = true): Architecture {
  const layers: LayerSpec[] = [
    { kind: 'conv2d', filters: 8, kernelSize: 3, strides: 1, activation: 'relu' },
    ...(batchNorm ? [{ kind: 'batchNorm' } as const] : []),
    { kind: 'maxPool', poolSize: 2, strides: 2 },
    { kind: 'dropout', rate: 0.25 },
    { kind: 'flatten' },
    { kind: 'dense', units: 16, activation: 'relu' },
    { kind: 'dropout', rate: 0.3 },
    { kind: 'dense', units: classes, activation: 'softmax' },
  ];
  const { params, macs } = countCost(shape, layers);
  return {
    id: architectureId('cnn', shape, classes, layers),
    family: 'cnn',
    name: 'test CNN',
    inputShape: shape,
    classes,
    expandable: false,
    layers,
    headStart: layers.length - 3,
    params,
    macs,
  };
}

/** `count` synthetic images of `classes` shapes (synthetic.ts) as a dataset. */
export function syntheticDataset(
  shape: InputShape,
  classes: number,
  count: number,
  seed: number,
): InMemoryImageDataset {
  const { pixels, labels } = syntheticImages({
    height: shape[0],
    width: shape[1],
    channels: shape[2],
    classes,
    count,
    seed,
  });
  return new InMemoryImageDataset(shape, pixels, labels);
}
