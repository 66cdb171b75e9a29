// Gradients that replace tfjs-core's where those build full-size tensors they need not. Batch
// norm in training is moments (two Means) then FusedBatchNorm; tfjs's gradient of FusedBatchNorm
// tiles 1/σ to the whole activation before multiplying, and computes four full-size products
// for what are per-channel sums; Mean's gradient multiplies by a ones tensor filled in JS and
// then divides. On the generator's 64×64×3 network (five conv + batch-norm layers) at batch 64,
// Tile alone took 30% of a training step on wasm. Same mathematics, fewer passes over memory:
// checked against tfjs's own gradients on the cpu backend (gradients.test.ts).
import * as tf from '../tf';
import { BATCH_NORM_GRAD_SUMS } from './batch_norm';

/**
 * With x̂ = (x − μ)·r, r = 1/√(σ² + ε), y = γ·x̂ + β, and sums over every axis but the channel:
 *   ∂x = dy·γr,  ∂μ = −γr·Σdy,  ∂σ² = −½γr³·Σdy(x − μ),  ∂γ = r·Σdy(x − μ),  ∂β = Σdy.
 * Only the per-channel case (μ of rank 1, batch norm over the last axis) takes this path.
 */
function fusedBatchNormGrad(stock: tf.GradConfig): tf.GradConfig {
  return {
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
      const dyt = dy as tf.Tensor;
      const channels = x.shape[x.rank - 1];
      const perChannel = mean.rank === 1 && x.rank >= 2 && mean.shape[0] === channels;
      if (!perChannel || (scale && scale.rank !== 1)) return stock.gradFunc(dy, saved, attrs);
      const epsilon = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
      const leading = x.shape.slice(0, -1).map((_, i) => i);
      // The engine runs each returned function in its own scope; what they share is computed
      // here, in the backward pass's scope, and only the per-channel results outlive this tidy.
      const [r, gain, dySum, dyCentredSum] = tf.tidy(() => {
        const r = tf.rsqrt(tf.add(variance, epsilon));
        const gain = scale ? tf.mul(r, scale) : r;
        return [r, gain, ...gradientSums(dyt, x, mean, leading)];
      });
      return {
        x: () => tf.mul(dyt, gain),
        mean: () => tf.mul(tf.neg(gain), dySum),
        variance: () => tf.mul(tf.mul(tf.mul(gain, tf.square(r)), -0.5), dyCentredSum),
        scale: () => tf.mul(r, dyCentredSum),
        offset: () => tf.clone(dySum),
      };
    },
  };
}

/** Σdy and Σdy·(x − μ) over the leading axes: on wasm in one pass (batch_norm.ts). */
function gradientSums(dy: tf.Tensor, x: tf.Tensor, mean: tf.Tensor, leading: number[]): [tf.Tensor, tf.Tensor] {
  const oneKernel =
    tf.getBackend() === 'wasm' &&
    tf.getKernel(BATCH_NORM_GRAD_SUMS, 'wasm') !== undefined &&
    [dy, x, mean].every((t) => t.dtype === 'float32');
  if (!oneKernel) return [tf.sum(dy, leading), tf.sum(tf.mul(dy, tf.sub(x, mean)), leading)];
  const both = tf.engine().runKernel(BATCH_NORM_GRAD_SUMS, { dy, x, mean }) as tf.Tensor;
  return tf.unstack(both) as [tf.Tensor, tf.Tensor];
}

/** ∂x = dy/n spread over the reduced axes: one broadcast multiply into a filled tensor. */
function meanGrad(): tf.GradConfig {
  return {
    kernelName: 'Mean',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const axes = tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
      const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const n = axes.reduce((size, a) => size * x.shape[a]!, 1);
      return { x: () => tf.mul(tf.fill(x.shape, 1 / n), tf.reshape(dy as tf.Tensor, expanded)) };
    },
  };
}

let stockBatchNorm: tf.GradConfig | undefined;
let stockMean: tf.GradConfig | undefined;

/**
 * Puts these gradients in tfjs's (process-wide, backend-independent) registry, or tfjs's own
 * back with `false`. Idempotent.
 */
export function registerLeanGradients(enabled = true): void {
  stockBatchNorm ??= tf.getGradient('FusedBatchNorm');
  stockMean ??= tf.getGradient('Mean');
  if (!stockBatchNorm || !stockMean) throw new Error('tfjs has no FusedBatchNorm or Mean gradient to replace');
  tf.registerGradient(enabled ? fusedBatchNormGrad(stockBatchNorm) : stockBatchNorm);
  tf.registerGradient(enabled ? meanGrad() : stockMean);
}
