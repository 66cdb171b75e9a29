// BatchMatMul / _FusedMatMul (transposes rerouted), Sum and Mean (leading-axes fast path), Slice
// (in-heap copy) and UnsortedSegmentSum (missing from wasm) vs the cpu backend on random
// shapes; Identity/Cast buffer sharing.
// Tolerances: max abs diff <= 1e-4 x max(1, max |expected|) for the float sums and
// products, exact for int32 segment sums.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '../tf';
import { compareKernel, HostTensor, int, pick, randn, rng, setupWasm } from './test_util';

before(setupWasm);

test('BatchMatMul matches cpu for all transpose combinations, 2-D and batched', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const [m, k, n] = [int(r, 1, 70), int(r, 1, 70), int(r, 1, 70)];
    const transposeA = r() < 0.5;
    const transposeB = r() < 0.5;
    const batch = pick(r, [0, 0, 1, 3]);
    const lead = batch ? [batch] : [];
    const a = randn(r, [...lead, ...(transposeA ? [k, m] : [m, k])]);
    const b = randn(r, [...lead, ...(transposeB ? [n, k] : [k, n])]);
    compareKernel(
      'BatchMatMul',
      { a, b },
      { transposeA, transposeB },
      1e-4,
      `seed ${seed} a ${a.shape} b ${b.shape} tA ${transposeA} tB ${transposeB}`,
    );
  }
});

test('_FusedMatMul matches cpu with transposes, bias and activations', () => {
  for (let seed = 101; seed <= 140; seed++) {
    const r = rng(seed);
    const [m, k, n] = [int(r, 1, 40), int(r, 1, 40), int(r, 1, 40)];
    const transposeA = r() < 0.5;
    const transposeB = r() < 0.5;
    const activation = pick(r, ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const);
    // tf.fused.matMul always hands the kernel rank-3 operands.
    const batchA = pick(r, [1, 1, 2, 3]);
    const batchB = pick(r, [1, batchA]);
    const inputs: Record<string, HostTensor> = {
      a: randn(r, [batchA, ...(transposeA ? [k, m] : [m, k])]),
      b: randn(r, [batchB, ...(transposeB ? [n, k] : [k, n])]),
    };
    if (r() < 0.7) inputs.bias = randn(r, [n]);
    compareKernel(
      '_FusedMatMul',
      inputs,
      { transposeA, transposeB, activation, leakyreluAlpha: 0.1 },
      1e-4,
      `seed ${seed} ${batchA}/${batchB} ${m}x${k}x${n} tA ${transposeA} tB ${transposeB} ${activation} bias ${!!inputs.bias}`,
    );
  }
});

for (const kernel of ['Sum', 'Mean']) {
  test(`${kernel} matches cpu over leading axes (bias gradients, batch-norm moments) and other axes`, () => {
    for (let seed = 201; seed <= 240; seed++) {
      const r = rng(seed);
      const rank = int(r, 2, 4);
      const shape = Array.from({ length: rank }, () => int(r, 1, 40));
      if (seed % 4 === 0) shape.splice(0, rank, 3000, int(r, 4, 40)); // long reduction: blocked float64 combine
      const lead = int(r, 1, shape.length - 1);
      const axis = seed % 5 === 0 ? [int(r, 0, shape.length - 1)] : Array.from({ length: lead }, (_, i) => i);
      const keepDims = r() < 0.3;
      compareKernel(
        kernel,
        { x: randn(r, shape) },
        { axis, keepDims },
        1e-4,
        `seed ${seed} shape ${shape} axis ${axis} keepDims ${keepDims}`,
      );
    }
  });
}

test('UnsortedSegmentSum matches cpu, including out-of-range ids and int32 data', () => {
  for (let seed = 301; seed <= 330; seed++) {
    const r = rng(seed);
    const rows = int(r, 1, 50);
    const inner = pick(r, [[], [3], [4, 5]]);
    const numSegments = int(r, 1, 12);
    const ids = Int32Array.from({ length: rows }, () => int(r, -1, numSegments));
    const segmentIds: HostTensor = { values: ids, shape: [rows], dtype: 'int32' };
    let x = randn(r, [rows, ...inner]);
    if (seed % 3 === 0)
      x = { values: Int32Array.from(x.values, (v) => Math.round(v * 10)), shape: x.shape, dtype: 'int32' };
    compareKernel(
      'UnsortedSegmentSum',
      { x, segmentIds },
      { numSegments },
      x.dtype === 'int32' ? 0 : 1e-4,
      `seed ${seed} rows ${rows} inner ${inner} segments ${numSegments}`,
    );
  }
});

test('Slice matches cpu for contiguous and strided slices of float32, int32 and bool', () => {
  for (let seed = 401; seed <= 430; seed++) {
    const r = rng(seed);
    const rank = int(r, 1, 4);
    const shape = Array.from({ length: rank }, () => int(r, 1, 9));
    const begin = shape.map((d) => int(r, 0, d - 1));
    // Leading-axis slices (the contiguous fast path) half of the time.
    const size = shape.map((d, i) => (seed % 2 === 0 && i > 0 ? d : int(r, 1, d - begin[i]!)));
    if (seed % 2 === 0) begin.fill(0, 1);
    const dtype = pick(r, ['float32', 'int32', 'bool'] as const);
    const f = randn(r, shape);
    const x: HostTensor =
      dtype === 'float32'
        ? f
        : dtype === 'int32'
          ? { values: Int32Array.from(f.values, (v) => Math.round(v * 9)), shape, dtype }
          : { values: Uint8Array.from(f.values, (v) => +(v > 0)), shape, dtype };
    compareKernel('Slice', { x }, { begin, size }, 0, `seed ${seed} ${dtype} ${shape} begin ${begin} size ${size}`);
  }
});

test('Identity and same-dtype Cast share the buffer safely (values, lifetimes, no leaks)', () => {
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const start = backend.numDataIds();
  const x = tf.tensor([1.5, -2, 3], [3]);
  const i = tf.engine().runKernel('Identity', { x }) as tf.Tensor;
  const c = tf.cast(x, 'float32');
  const ints = tf.cast(x, 'int32');
  assert.equal(backend.numDataIds(), start + 2, 'identity and float cast must not allocate');
  x.dispose();
  assert.deepEqual(Array.from(i.dataSync()), [1.5, -2, 3]);
  assert.deepEqual(Array.from(c.dataSync()), [1.5, -2, 3]);
  assert.deepEqual(Array.from(ints.dataSync()), [1, -2, 3]);
  tf.dispose([i, c, ints]);
  assert.equal(backend.numDataIds(), start);
});
