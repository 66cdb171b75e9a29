// Batch norm on wasm in fewer passes over the activations. Training runs it as moments, then
// FusedBatchNorm, whose gradient (gradients.ts) needs per-channel sums. On the 2-conv CNN with
// batch norm (28×28×1, batch 64), batch norm made a training step's kernels take 1.41× as long as
// without it, and the module's FusedBatchNorm alone (a scalar loop with an index division per
// element) 13% of the step; with these, 1.21× (tf.profile of 32 steps; docs/benchmarks.md). The rest
// is tfjs's moments and their gradient.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { alloc, free, heapF32, offsetF32, ptrOf, sizeOf, type TensorInfo } from './wasm_util';
import { nativeKernels } from './native';

type BatchNormFunc = (args: {
  inputs: { x: TensorInfo; mean: TensorInfo; variance: TensorInfo; offset?: TensorInfo; scale?: TensorInfo };
  backend: BackendWasm;
  attrs: Record<string, unknown>;
}) => TensorInfo;

/** Below this many values the module's loop is as quick as the call. */
const MIN_SIZE = 4096;

/**
 * FusedBatchNorm as one per-channel affine map, y = x·a + b with a = γ/√(σ² + ε) and
 * b = β − μ·a, in native SIMD. Per-channel statistics (rank 1, the last axis) only; the rest,
 * and everything when the native module is missing, goes to the built-in.
 */
export function channelAffineBatchNorm(builtin: BatchNormFunc): BatchNormFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x, mean, variance, offset, scale } = inputs;
    const c = x.shape.at(-1) ?? 0;
    const perChannel = (t: TensorInfo | undefined) =>
      t == null || (t.dtype === 'float32' && t.shape.length === 1 && t.shape[0] === c);
    const native = nativeKernels(backend);
    if (
      !native ||
      x.dtype !== 'float32' ||
      c < 4 ||
      sizeOf(x.shape) < MIN_SIZE ||
      ![mean, variance, offset, scale].every(perChannel)
    ) {
      return builtin(args);
    }
    const epsilon = attrs.varianceEpsilon as number;
    const out = alloc(backend, x.shape);
    const ab = alloc(backend, [2 * c]);
    const heap = heapF32(backend); // after the allocations, which may grow (and detach) the heap
    const [m0, v0, a0] = [mean, variance, ab].map((t) => offsetF32(backend, t)) as [number, number, number];
    const o0 = offset ? offsetF32(backend, offset) : -1;
    const s0 = scale ? offsetF32(backend, scale) : -1;
    for (let j = 0; j < c; j++) {
      const a = (s0 < 0 ? 1 : heap[s0 + j]!) / Math.sqrt(heap[v0 + j]! + epsilon);
      heap[a0 + j] = a;
      heap[a0 + c + j] = (o0 < 0 ? 0 : heap[o0 + j]!) - heap[m0 + j]! * a;
    }
    const rows = sizeOf(x.shape) / c;
    native.channel_affine(
      ptrOf(backend, x),
      ptrOf(backend, ab),
      ptrOf(backend, ab) + 4 * c,
      ptrOf(backend, out),
      rows,
      c,
    );
    free(backend, ab);
    return out;
  };
}

/** Kernel name of batchNormGradSums: Percept's own, on wasm only. */
export const BATCH_NORM_GRAD_SUMS = 'PerceptBatchNormGradSums';

/**
 * [Σdy, Σdy·(x − μ)] per channel, as a [2, C] tensor, for dy and x of the same shape with C
 * channels last and μ of shape [C]: the sums batch norm's gradient needs, in one pass.
 */
export function batchNormGradSums(args: {
  inputs: { dy: TensorInfo; x: TensorInfo; mean: TensorInfo };
  backend: BackendWasm;
}): TensorInfo {
  const { inputs, backend } = args;
  const { dy, x, mean } = inputs;
  const c = mean.shape[0]!;
  const rows = sizeOf(x.shape) / c;
  const out = alloc(backend, [2, c]);
  const native = nativeKernels(backend);
  if (native) {
    const acc = alloc(backend, [4 * c]); // 2c float64
    native.batch_norm_grad_sums(
      ptrOf(backend, dy),
      ptrOf(backend, x),
      ptrOf(backend, mean),
      ptrOf(backend, out),
      ptrOf(backend, acc),
      rows,
      c,
    );
    free(backend, acc);
    return out;
  }
  const heap = heapF32(backend);
  const [g0, x0, m0] = [dy, x, mean].map((t) => offsetF32(backend, t)) as [number, number, number];
  const sums = new Float64Array(2 * c);
  for (let i = 0, k = 0; i < rows; i++) {
    for (let j = 0; j < c; j++, k++) {
      const g = heap[g0 + k]!;
      sums[j] += g;
      sums[c + j] += g * (heap[x0 + k]! - heap[m0 + j]!);
    }
  }
  heap.set(sums, offsetF32(backend, out));
  return out;
}
