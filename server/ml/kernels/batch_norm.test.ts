// batch_norm.ts against references: FusedBatchNorm against the cpu backend's, and the gradient
// sums against float64 sums computed here, with the native module and with the JS fallback.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { BATCH_NORM_GRAD_SUMS } from './batch_norm';
import {
  assertClose,
  compareKernel,
  int,
  randn,
  rng,
  runWasm,
  setNativeKernelsEnabled,
  setupWasm,
  type HostTensor,
} from './test_util';

before(setupWasm);

/** A random activation-like shape: rank 4 (conv maps) or rank 2 (dense), c channels last. */
function shapeOf(r: () => number, c: number): number[] {
  return r() < 0.3 ? [int(r, 100, 600), c] : [int(r, 1, 8), int(r, 4, 20), int(r, 4, 20), c];
}

test('FusedBatchNorm matches the cpu backend, with and without scale and offset', () => {
  for (let seed = 1; seed <= 24; seed++) {
    const r = rng(seed);
    const c = [3, 4, 6, 16, 32, 37][seed % 6]!;
    const shape = shapeOf(r, c);
    const variance = randn(r, [c]);
    variance.values = variance.values.map((v) => v * v + 0.1);
    const inputs: Record<string, HostTensor> = { x: randn(r, shape), mean: randn(r, [c]), variance };
    if (seed % 4 !== 1) inputs.scale = randn(r, [c]);
    if (seed % 4 !== 2) inputs.offset = randn(r, [c]);
    compareKernel('FusedBatchNorm', inputs, { varianceEpsilon: 1e-3 }, 1e-5, `seed ${seed} shape ${shape}`);
  }
});

test('the batch-norm gradient sums match float64 sums, natively and in JS', () => {
  for (let seed = 1; seed <= 16; seed++) {
    const r = rng(100 + seed);
    const c = int(r, 1, 40);
    const shape = shapeOf(r, c);
    const inputs = { dy: randn(r, shape), x: randn(r, shape), mean: randn(r, [c]) };
    const want = new Float64Array(2 * c);
    inputs.dy.values.forEach((g, i) => {
      want[i % c] += g;
      want[c + (i % c)] += g * (inputs.x.values[i]! - inputs.mean.values[i % c]!);
    });
    const expected: HostTensor = { values: Float32Array.from(want), shape: [2, c], dtype: 'float32' };
    for (const native of [true, false]) {
      setNativeKernelsEnabled(native);
      try {
        const got = runWasm(BATCH_NORM_GRAD_SUMS, inputs, {});
        assert.equal(got.dtype, 'float32');
        assertClose(got, expected, 1e-4, `seed ${seed} shape ${shape} native=${native}`);
      } finally {
        setNativeKernelsEnabled(true);
      }
    }
  }
});
