// The lean batch-norm and Mean gradients (gradients.ts) against tfjs's own, on the cpu backend
// and on wasm with Percept's kernels: batch norm as tf.layers trains it (moments, then
// batchNorm), rank 2 and rank 4; Mean over any axes. (tfjs cannot differentiate a batch norm
// without a scale at all: it fails saving the missing input, whichever gradient is registered.)
// Tolerance: max abs diff <= 1e-4 x max(1, max |expected|).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as tf from '../tf';
import { registerLeanGradients } from './gradients';
import { int, randn, rng, setupWasm, type HostTensor } from './test_util';

before(setupWasm);
after(() => registerLeanGradients(true));

const tensor = (h: HostTensor) => tf.tensor(h.values, h.shape, h.dtype);

/** Gradients of Σ w·f(inputs) with respect to every input, as plain arrays. */
function gradients(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: HostTensor[], weights: HostTensor): Float32Array[] {
  return tf.tidy(() => {
    const xs = inputs.map(tensor);
    const w = tensor(weights);
    const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), w)))(xs);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

function close(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  }
  assert.ok(worst <= 1e-4 * scale, `${what}: max abs diff ${worst} (scale ${scale})`);
}

/** Lean gradients on `backend` against tfjs's own on cpu. */
async function compare(backend: string, f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: HostTensor[], what: string) {
  const weights = randn(rng(7), Array.from(tf.tidy(() => f(...inputs.map(tensor)).shape)));
  await tf.setBackend('cpu');
  registerLeanGradients(false);
  const expected = gradients(f, inputs, weights);
  registerLeanGradients(true);
  await tf.setBackend(backend);
  const actual = gradients(f, inputs, weights);
  expected.forEach((e, i) => close(actual[i]!, e, `${what}, input ${i} on ${backend}`));
}

/** Batch norm in training, as tf.layers' BatchNormalization computes it. */
function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return tf.batchNorm(x, mean, variance, beta, gamma, 1e-3);
}

for (const backend of ['cpu', 'wasm']) {
  test(`batch norm gradients (x, scale, offset) match tfjs's own on ${backend}`, async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const r = rng(seed);
      const c = int(r, 1, 20);
      const shape = seed % 3 === 0 ? [int(r, 2, 40), c] : [int(r, 1, 6), int(r, 1, 9), int(r, 1, 9), c];
      const x = randn(r, shape);
      // Channels with an offset and spread of their own, as activations have.
      for (let i = 0; i < x.values.length; i++) x.values[i] = x.values[i]! * (1 + (i % c)) + (i % c);
      await compare(backend, batchNormTraining, [x, randn(r, [c]), randn(r, [c])], `seed ${seed} shape ${shape}`);
    }
  });

  test(`Mean's gradient matches tfjs's own over any axes on ${backend}`, async () => {
    for (let seed = 31; seed <= 50; seed++) {
      const r = rng(seed);
      const rank = int(r, 1, 4);
      const shape = Array.from({ length: rank }, () => int(r, 1, 8));
      const axes = shape.map((_, i) => i).filter(() => r() < 0.5);
      const keepDims = r() < 0.5;
      await compare(
        backend,
        (x) => tf.mean(x, axes.length ? axes : undefined, keepDims),
        [randn(r, shape)],
        `seed ${seed} shape ${shape} axes ${axes} keepDims ${keepDims}`,
      );
    }
  });
}

test('the lean gradients can be switched off and on again', () => {
  registerLeanGradients(false);
  const stock = tf.getGradient('FusedBatchNorm');
  registerLeanGradients(true);
  assert.notEqual(tf.getGradient('FusedBatchNorm'), stock);
  registerLeanGradients(false);
  assert.equal(tf.getGradient('FusedBatchNorm'), stock);
  registerLeanGradients(true);
});
