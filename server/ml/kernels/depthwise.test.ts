// DepthwiseConv2dNativeBackpropFilter / -Input (missing from the wasm backend) vs the cpu
// backend on random shapes, channel multipliers 1-3, strides, paddings and batch sizes.
// Tolerance: max abs diff <= 1e-4 x max(1, max |expected|).
// Dilation: the cpu backprop kernels ignore it (tfjs never calls them with dilation > 1),
// so dilated cases are checked against the cpu *forward* kernel through the adjoint
// identities <dy, conv(x, W)> = <dx(dy, W), x> = <dW(x, dy), W> (relative 1e-4).
import { before, test } from 'node:test';
import * as tf from '../tf';
import assert from 'node:assert/strict';
import {
  compareKernel,
  HostTensor,
  int,
  pick,
  randn,
  rng,
  runCpu,
  runWasm,
  setNativeKernelsEnabled,
  setupWasm,
} from './test_util';

const TOL = 1e-4;

before(setupWasm);

function randomCase(r: () => number, allowDilation: boolean) {
  for (;;) {
    const kh = int(r, 1, 4);
    const kw = int(r, 1, 4);
    const x: [number, number, number, number] = [
      int(r, 1, 3),
      int(r, 3, 12),
      int(r, 3, 12),
      pick(r, [1, 2, 3, 4, 8, 13]),
    ];
    const filter: [number, number, number, number] = [kh, kw, x[3], pick(r, [1, 1, 2, 3])];
    // tfjs requires stride 1 wherever dilation > 1.
    const dilated = allowDilation && r() < 0.5;
    const strides: [number, number] = dilated ? [1, 1] : [int(r, 1, 3), int(r, 1, 3)];
    const dilations: [number, number] = dilated ? [int(r, 1, 2), int(r, 2, 3)] : [1, 1];
    const pad = pick(r, ['valid', 'same'] as const);
    const info = tf.backend_util.computeConv2DInfo(x, filter, strides, dilations, pad, undefined, true);
    if (info.outHeight >= 1 && info.outWidth >= 1) return { x, filter, strides, dilations, pad, out: info.outShape };
  }
}

test('DepthwiseConv2dNativeBackpropFilter matches cpu on 40 random geometries', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const c = randomCase(r, false);
    compareKernel(
      'DepthwiseConv2dNativeBackpropFilter',
      { x: randn(r, c.x), dy: randn(r, c.out) },
      { strides: c.strides, dilations: c.dilations, pad: c.pad, filterShape: c.filter },
      TOL,
      `seed ${seed} ${JSON.stringify(c)}`,
    );
  }
});

test('DepthwiseConv2dNativeBackpropInput matches cpu on 40 random geometries', () => {
  for (let seed = 101; seed <= 140; seed++) {
    const r = rng(seed);
    const c = randomCase(r, false);
    compareKernel(
      'DepthwiseConv2dNativeBackpropInput',
      { dy: randn(r, c.out), filter: randn(r, c.filter) },
      { strides: c.strides, dilations: c.dilations, pad: c.pad, inputShape: c.x },
      TOL,
      `seed ${seed} ${JSON.stringify(c)}`,
    );
  }
});

function dot(a: HostTensor, b: HostTensor): number {
  let s = 0;
  for (let i = 0; i < a.values.length; i++) s += a.values[i] * b.values[i];
  return s;
}

test('depthwise backprop kernels are the adjoints of the cpu forward kernel, with dilation', () => {
  for (let seed = 301; seed <= 330; seed++) {
    const r = rng(seed);
    const c = randomCase(r, true);
    const x = randn(r, c.x);
    const w = randn(r, c.filter);
    const dy = randn(r, c.out);
    const geometry = { strides: c.strides, dilations: c.dilations, pad: c.pad };
    const y = runCpu('DepthwiseConv2dNative', { x, filter: w }, geometry);
    const ref = dot(dy, y);
    const scale = Math.max(1, Math.abs(ref), Math.sqrt(dot(dy, dy) * dot(y, y)));
    for (const native of [true, false]) {
      setNativeKernelsEnabled(native);
      const dx = runWasm('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...geometry, inputShape: c.x });
      const dw = runWasm('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...geometry, filterShape: c.filter });
      setNativeKernelsEnabled(true);
      const what = `seed ${seed} native=${native} ${JSON.stringify(c)}`;
      assert.ok(Math.abs(dot(dx, x) - ref) <= 1e-4 * scale, `${what}: <dx, x> ${dot(dx, x)} vs ${ref}`);
      assert.ok(Math.abs(dot(dw, w) - ref) <= 1e-4 * scale, `${what}: <dW, W> ${dot(dw, w)} vs ${ref}`);
    }
  }
});
