// MaxPoolGrad / AvgPoolGrad on wasm (Percept's kernels) vs the cpu backend on random
// shapes, window sizes, strides (overlapping and not), paddings and batch sizes.
// MaxPoolGrad must route each gradient to the same tap as cpu, including ties, so the
// inputs are quantised and relu'd (many equal values, as after a relu layer); it is held
// to 1e-6 x max(1, max |expected|) (sums only where windows overlap). AvgPoolGrad: 1e-5.
import { before, test } from 'node:test';
import * as tf from '../tf';
import { compareKernel, HostTensor, int, pick, randn, rng, runCpu, setupWasm } from './test_util';

before(setupWasm);

type Pad = 'valid' | 'same' | number;

function randomPool(r: () => number): {
  x: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'ceil' | 'round';
} {
  for (;;) {
    const filterSize: [number, number] = [int(r, 1, 4), int(r, 1, 4)];
    const strides: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
    const x: [number, number, number, number] = [
      int(r, 1, 3),
      int(r, 2, 13),
      int(r, 2, 13),
      pick(r, [1, 3, 4, 7, 8, 32]),
    ];
    const pad: Pad = pick(r, ['valid', 'same', 'valid', 1] as const);
    const dimRoundingMode = typeof pad === 'number' ? ('floor' as const) : undefined;
    if (x[1] < filterSize[0] || x[2] < filterSize[1]) continue;
    const info = tf.backend_util.computePool2DInfo(x, filterSize, strides, 1, pad, dimRoundingMode);
    if (info.outHeight >= 1 && info.outWidth >= 1) return { x, filterSize, strides, pad, dimRoundingMode };
  }
}

function tiesAfterRelu(t: HostTensor): HostTensor {
  const v = t.values as Float32Array;
  for (let i = 0; i < v.length; i++) v[i] = Math.max(0, Math.round(v[i] * 2) / 2);
  return t;
}

test('MaxPoolGrad matches cpu (first-max tie-break) on 40 random geometries', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const c = randomPool(r);
    const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode };
    const x = seed % 2 ? tiesAfterRelu(randn(r, c.x)) : randn(r, c.x);
    const output = runCpu('MaxPool', { x }, attrs);
    compareKernel(
      'MaxPoolGrad',
      { dy: randn(r, output.shape), input: x, output },
      attrs,
      1e-6,
      `seed ${seed} ${JSON.stringify(c)}`,
    );
  }
});

test('AvgPoolGrad matches cpu on 40 random geometries', () => {
  for (let seed = 201; seed <= 240; seed++) {
    const r = rng(seed);
    const c = randomPool(r);
    if (typeof c.pad === 'number') c.pad = 'same';
    const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
    const info = tf.backend_util.computePool2DInfo(c.x, c.filterSize, c.strides, 1, c.pad);
    compareKernel(
      'AvgPoolGrad',
      { dy: randn(r, info.outShape), input: randn(r, c.x) },
      attrs,
      1e-5,
      `seed ${seed} ${JSON.stringify(c)}`,
    );
  }
});

test('pool gradients match cpu at the benchmark CNN sizes', () => {
  const r = rng(5);
  for (const shape of [
    [8, 26, 26, 32],
    [8, 11, 11, 64],
  ] as const) {
    const attrs = { filterSize: [2, 2], strides: [2, 2], pad: 'valid' };
    const x = tiesAfterRelu(randn(r, shape.slice()));
    const output = runCpu('MaxPool', { x }, attrs);
    compareKernel('MaxPoolGrad', { dy: randn(r, output.shape), input: x, output }, attrs, 1e-6, `max ${shape}`);
    compareKernel('AvgPoolGrad', { dy: randn(r, output.shape), input: x }, attrs, 1e-5, `avg ${shape}`);
  }
});
