// Conv2DBackpropFilter / Conv2DBackpropInput on wasm (Percept's kernels) vs the cpu
// backend, on random shapes, strides, paddings (valid / same / explicit), batch sizes and
// channel counts. Tolerance: max abs diff <= 1e-4 x max(1, max |expected|) (float32 sums
// of up to a few thousand products in a different order). The conv gradient kernels
// take no dilation: tfjs refuses conv gradients with dilation > 1 before reaching them.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '../tf';
import { compareKernel, int, pick, randn, randomPad, rng, setupWasm } from './test_util';
import { setIm2colChunkFloats } from './im2col';
import { nativeKernelsBuild, setRelaxedSimdAllowed } from './native';

const TOL = 1e-4;

before(setupWasm);

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: ReturnType<typeof randomPad>;
  out: [number, number, number, number];
}

function randomCase(r: () => number): Case {
  for (;;) {
    const kh = int(r, 1, 4);
    const kw = pick(r, [kh, int(r, 1, 4)]);
    const x: Case['x'] = [int(r, 1, 4), int(r, kh, 12), int(r, kw, 12), pick(r, [1, 2, 3, 5, 8, 16])];
    const filter: Case['filter'] = [kh, kw, x[3], pick(r, [1, 3, 4, 8, 12, 32])];
    const strides: Case['strides'] = [int(r, 1, 3), int(r, 1, 3)];
    const pad = randomPad(r, 3);
    const info = tf.backend_util.computeConv2DInfo(x, filter, strides, 1, pad);
    if (info.outHeight >= 1 && info.outWidth >= 1) return { x, filter, strides, pad, out: info.outShape };
  }
}

/** Both conv gradients on the random geometries of seeds `from`..`to`, against cpu. */
function bothGradients(from: number, to: number, label: string): void {
  for (let seed = from; seed <= to; seed++) {
    const r = rng(seed);
    const c = randomCase(r);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
    compareKernel(
      'Conv2DBackpropFilter',
      { x: randn(r, c.x), dy: randn(r, c.out) },
      { ...attrs, filterShape: c.filter },
      TOL,
      `${label} filter seed ${seed} ${JSON.stringify(c)}`,
    );
    compareKernel(
      'Conv2DBackpropInput',
      { dy: randn(r, c.out), filter: randn(r, c.filter) },
      { ...attrs, inputShape: c.x },
      TOL,
      `${label} input seed ${seed} ${JSON.stringify(c)}`,
    );
  }
}

test('Conv2DBackpropFilter matches cpu on 40 random geometries', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const c = randomCase(r);
    compareKernel(
      'Conv2DBackpropFilter',
      { x: randn(r, c.x), dy: randn(r, c.out) },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter },
      TOL,
      `seed ${seed} ${JSON.stringify(c)}`,
    );
  }
});

test('Conv2DBackpropInput matches cpu on 40 random geometries', () => {
  for (let seed = 101; seed <= 140; seed++) {
    const r = rng(seed);
    const c = randomCase(r);
    compareKernel(
      'Conv2DBackpropInput',
      { dy: randn(r, c.out), filter: randn(r, c.filter) },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
      TOL,
      `seed ${seed} ${JSON.stringify(c)}`,
    );
  }
});

test('conv gradients match cpu at the benchmark CNN sizes', () => {
  const r = rng(7);
  const layers: Array<[Case['x'], Case['filter']]> = [
    [
      [4, 28, 28, 1],
      [3, 3, 1, 32],
    ],
    [
      [4, 13, 13, 32],
      [3, 3, 32, 64],
    ],
  ];
  for (const [x, filter] of layers) {
    const info = tf.backend_util.computeConv2DInfo(x, filter, 1, 1, 'valid');
    const attrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC' };
    compareKernel(
      'Conv2DBackpropFilter',
      { x: randn(r, x), dy: randn(r, info.outShape) },
      { ...attrs, filterShape: filter },
      TOL,
      `filter grad ${x}`,
    );
    compareKernel(
      'Conv2DBackpropInput',
      { dy: randn(r, info.outShape), filter: randn(r, filter) },
      { ...attrs, inputShape: x },
      TOL,
      `input grad ${x}`,
    );
  }
});

test('conv gradients split into image chunks match cpu (large-batch memory bound)', () => {
  setIm2colChunkFloats(1); // one image per chunk
  try {
    bothGradients(501, 515, 'chunked');
  } finally {
    setIm2colChunkFloats(8 << 20);
  }
});

test('Node loads the fused multiply-add (relaxed SIMD) build; the plain build matches cpu too', () => {
  // Every Node Percept supports has relaxed SIMD (Node 20 behind a V8 flag native.ts turns on).
  assert.equal(nativeKernelsBuild(), 'relaxed');
  setRelaxedSimdAllowed(false);
  try {
    assert.equal(nativeKernelsBuild(), 'plain');
    bothGradients(601, 615, 'plain');
  } finally {
    setRelaxedSimdAllowed(true);
  }
});
