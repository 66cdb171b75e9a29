// Percept's training kernels for the tfjs 'wasm' backend. Stock wasm cannot train a CNN
// (Conv2DBackpropFilter, the depthwise backprops and UnsortedSegmentSum are missing) and
// several of the kernels it has are scalar loops that dominate a training step. Measured
// on the bench/train.ts network (generator's 28x28x1 CNN) at batch 64, ms per step, stock
// wasm (+ the missing kernels) -> with these:
//   Conv2DBackpropInput 104.6 -> 9.6, MaxPoolGrad 36.0 -> 3.5, BatchMatMul 32.4 -> 3.3,
//   Sum 4.5 -> 0.5, Identity + Cast 2.0 -> 0.04; Conv2DBackpropFilter (missing) 11.6.
//   Whole step 213 -> 51 ms (300 -> 1,260 images/s).
// Data-movement and GEMM loops live in native/kernels.c (wasm SIMD in the backend's own
// heap); each has a plain-JS fallback used when that module cannot be loaded.
import * as tf from '../tf';
import { conv2dBackpropFilter } from './conv2d_backprop_filter';
import { conv2dBackpropInput, setBuiltinBackpropInput } from './conv2d_backprop_input';
import { maxPoolGrad } from './max_pool_grad';
import { avgPoolGrad } from './avg_pool_grad';
import { withoutTransposes } from './batch_mat_mul';
import { leadingAxesMean, leadingAxesSum } from './sum';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './depthwise';
import { unsortedSegmentSum } from './unsorted_segment_sum';
import { contiguousSlice } from './slice';
import { sharedIdentity, sharedSameDtypeCast } from './identity';
import { registerLeanGradients } from './gradients';
import { BATCH_NORM_GRAD_SUMS, batchNormGradSums, channelAffineBatchNorm } from './batch_norm';

export { nativeKernels, setNativeKernelsEnabled } from './native';

type KernelFunc = tf.KernelConfig['kernelFunc'];
type Wrapper = (builtin: never) => unknown;

interface Entry {
  kernelName: string;
  /** false: the backend lacks this kernel; true: it replaces (or wraps) a slow built-in. */
  replaces: boolean;
  kernelFunc?: KernelFunc;
  wrap?: Wrapper;
}

const KERNELS: Entry[] = [
  { kernelName: 'Conv2DBackpropFilter', replaces: false, kernelFunc: conv2dBackpropFilter as unknown as KernelFunc },
  {
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    replaces: false,
    kernelFunc: depthwiseBackpropFilter as unknown as KernelFunc,
  },
  {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    replaces: false,
    kernelFunc: depthwiseBackpropInput as unknown as KernelFunc,
  },
  { kernelName: 'UnsortedSegmentSum', replaces: false, kernelFunc: unsortedSegmentSum as unknown as KernelFunc },
  { kernelName: 'Conv2DBackpropInput', replaces: true, kernelFunc: conv2dBackpropInput as unknown as KernelFunc },
  { kernelName: 'MaxPoolGrad', replaces: true, kernelFunc: maxPoolGrad as unknown as KernelFunc },
  { kernelName: 'AvgPoolGrad', replaces: true, kernelFunc: avgPoolGrad as unknown as KernelFunc },
  { kernelName: 'BatchMatMul', replaces: true, wrap: withoutTransposes as Wrapper },
  { kernelName: '_FusedMatMul', replaces: true, wrap: withoutTransposes as Wrapper },
  { kernelName: 'Sum', replaces: true, wrap: leadingAxesSum as Wrapper },
  { kernelName: 'Mean', replaces: true, wrap: leadingAxesMean as Wrapper },
  { kernelName: 'Slice', replaces: true, wrap: contiguousSlice as Wrapper },
  { kernelName: 'Identity', replaces: true, wrap: sharedIdentity as Wrapper },
  { kernelName: 'Cast', replaces: true, wrap: sharedSameDtypeCast as Wrapper },
  { kernelName: 'FusedBatchNorm', replaces: true, wrap: channelAffineBatchNorm as Wrapper },
  // Percept's own; used by the lean batch-norm gradient (gradients.ts), so it goes with it.
  { kernelName: BATCH_NORM_GRAD_SUMS, replaces: true, kernelFunc: batchNormGradSums as unknown as KernelFunc },
];

export const wasmTrainingKernelNames: readonly string[] = KERNELS.map((k) => k.kernelName);

export interface RegisterOptions {
  /**
   * Also swap in the faster versions of kernels wasm already has (default true). false
   * registers only the missing ones: the "stock wasm that can train" baseline of the bench.
   */
  replaceBuiltins?: boolean;
}

/** The module's own configs, captured before the first registration. */
const builtins = new Map<string, tf.KernelConfig>();
let mode: boolean | null = null;

/**
 * Registers Percept's training kernels on 'wasm'. Idempotent; may be called before or after
 * tf.setBackend('wasm'); calling again with another option switches the set.
 */
export function registerWasmTrainingKernels(options: RegisterOptions = {}): void {
  const replace = options.replaceBuiltins ?? true;
  if (mode === replace) return;
  if (mode === null) {
    for (const k of KERNELS) {
      const existing = tf.getKernel(k.kernelName, 'wasm');
      if (existing) builtins.set(k.kernelName, existing);
    }
    const input = builtins.get('Conv2DBackpropInput');
    if (input) setBuiltinBackpropInput(input.kernelFunc as never);
  }
  mode = replace;
  // Gradients live in one registry for every backend; the stock set goes with the stock kernels.
  registerLeanGradients(replace);
  for (const k of KERNELS) {
    const builtin = builtins.get(k.kernelName);
    if (tf.getKernel(k.kernelName, 'wasm')) tf.unregisterKernel(k.kernelName, 'wasm');
    if (k.replaces && !replace) {
      if (builtin) tf.registerKernel(builtin);
      continue;
    }
    if (k.wrap && !builtin) continue;
    const kernelFunc = k.wrap ? (k.wrap(builtin!.kernelFunc as never) as KernelFunc) : k.kernelFunc!;
    // Keep the built-in's setupFunc: it binds the C function the fallback paths call.
    tf.registerKernel({ kernelName: k.kernelName, backendName: 'wasm', kernelFunc, setupFunc: builtin?.setupFunc });
  }
}
