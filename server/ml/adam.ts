// Adam with its update in one pass on wasm. tfjs's AdamOptimizer makes about fifteen elementwise
// kernels per weight per step (each a pass over the weight and a fresh tensor): for the 2-conv
// network's 422k weights about 6 ms of a 110 ms step, all of it on the thread that the replica
// (replica.ts) waits for. Same algorithm, same state (moments and iteration count, saved and
// restored by the parent class, so checkpoints are unchanged); other backends use the parent's.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from './tf';
import { alloc, heapF32, offsetF32, sizeOf, type TensorInfo } from './kernels/wasm_util';

const KERNEL = 'PerceptAdamUpdate';

interface UpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  /** 1 − β1^t and 1 − β2^t: the bias corrections of this step. */
  correction1: number;
  correction2: number;
}

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as BackendWasm;
      const { value, gradient, m, v } = inputs as Record<'value' | 'gradient' | 'm' | 'v', TensorInfo>;
      const a = attrs as unknown as UpdateAttrs;
      const shape = value.shape;
      const outs = [alloc(b, shape), alloc(b, shape), alloc(b, shape)];
      const heap = heapF32(b); // after the allocations, which may grow (and detach) the heap
      const [w0, g0, m0, v0] = [value, gradient, m, v].map((t) => offsetF32(b, t));
      const [ow, om, ov] = outs.map((t) => offsetF32(b, t));
      const { beta1, beta2, epsilon, learningRate, correction1, correction2 } = a;
      for (let i = 0, n = sizeOf(shape); i < n; i++) {
        const g = heap[g0! + i]!;
        const mi = beta1 * heap[m0! + i]! + (1 - beta1) * g;
        const vi = beta2 * heap[v0! + i]! + (1 - beta2) * g * g;
        heap[om! + i] = mi;
        heap[ov! + i] = vi;
        heap[ow! + i] = heap[w0! + i]! - (learningRate * (mi / correction1)) / (Math.sqrt(vi / correction2) + epsilon);
      }
      return outs;
    },
  });
}

type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
type Moment = { originalName: string; variable: tf.Variable };
/** The parent's state, private in its typings. */
interface AdamState {
  accumulatedFirstMoment: Moment[];
  accumulatedSecondMoment: Moment[];
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

export class LeanAdam extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon ?? null!);
    register();
  }

  override applyGradients(variableGradients: Gradients): void {
    if (tf.getBackend() !== 'wasm') return super.applyGradients(variableGradients);
    const state = this as unknown as AdamState;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    // The parent's bias corrections: accBeta holds β^(t+1) before this step's update.
    const step = this.iterations + 1;
    const attrs: UpdateAttrs = {
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      learningRate: this.learningRate,
      correction1: 1 - this.beta1 ** step,
      correction2: 1 - this.beta2 ** step,
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        state.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        state.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i]!.tensor
          : (variableGradients as Record<string, tf.Tensor>)[name];
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i]!.variable;
        const v = state.accumulatedSecondMoment[i]!.variable;
        const [w, m1, v1] = tf.engine().runKernel(KERNEL, { value, gradient, m, v }, attrs as never) as tf.Tensor[];
        m.assign(m1!);
        v.assign(v1!);
        value.assign(w!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
