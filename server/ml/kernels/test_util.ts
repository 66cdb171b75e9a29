// Shared by the *.test.ts files here: backend setup, a seeded PRNG and the comparison of
// one kernel run on 'wasm' (through the engine, so registration is exercised too) with
// the same kernel of the 'cpu' backend on identical inputs.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '../tf';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './index';
import { setNativeKernelsEnabled } from './native';

export { setNativeKernelsEnabled };

export async function setupWasm(): Promise<void> {
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  setWasmPaths(dist + path.sep);
  registerWasmTrainingKernels();
  assert.equal(await tf.setBackend('wasm'), true, 'wasm backend failed to initialise');
  tf.engine().findBackend('cpu'); // initialise the reference backend too
}

/** mulberry32: deterministic inputs so a failure can be replayed from the printed seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function int(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

export interface HostTensor {
  values: Float32Array | Int32Array | Uint8Array;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
}

export function randn(r: () => number, shape: number[]): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    values[i] = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  }
  return { values, shape, dtype: 'float32' };
}

/** Runs a kernel directly on the cpu backend instance (no engine, no tape). */
export function runCpu(kernelName: string, inputs: Record<string, HostTensor>, attrs: object): HostTensor {
  const cpu = tf.engine().findBackend('cpu') as unknown as tf.KernelBackend & {
    write(values: unknown, shape: number[], dtype: string): tf.DataId;
  };
  const infos: Record<string, tf.TensorInfo> = {};
  for (const [k, t] of Object.entries(inputs)) {
    infos[k] = { dataId: cpu.write(t.values.slice(), t.shape, t.dtype), shape: t.shape, dtype: t.dtype };
  }
  const kernel = tf.getKernel(kernelName, 'cpu');
  assert.ok(kernel, `no cpu kernel ${kernelName}`);
  const out = kernel.kernelFunc({ inputs: infos, backend: cpu, attrs } as never) as tf.TensorInfo;
  const values = cpu.readSync(out.dataId) as HostTensor['values'];
  for (const t of Object.values(infos)) cpu.disposeData(t.dataId);
  cpu.disposeData(out.dataId);
  return { values, shape: out.shape, dtype: out.dtype as HostTensor['dtype'] };
}

/** Runs a kernel on wasm through the engine; also checks it leaked no tensor or buffer. */
export function runWasm(kernelName: string, inputs: Record<string, HostTensor>, attrs: object): HostTensor {
  assert.equal(tf.getBackend(), 'wasm');
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const tensors: Record<string, tf.Tensor> = {};
  for (const [k, t] of Object.entries(inputs)) tensors[k] = tf.tensor(t.values, t.shape, t.dtype);
  const before = backend.numDataIds();
  const out = tf.engine().runKernel(kernelName, tensors as never, attrs as never) as tf.Tensor;
  const values = out.dataSync() as HostTensor['values'];
  const shape = out.shape.slice();
  out.dispose();
  assert.equal(backend.numDataIds(), before, `${kernelName} leaked wasm buffers`);
  for (const t of Object.values(tensors)) t.dispose();
  return { values, shape, dtype: out.dtype as HostTensor['dtype'] };
}

/**
 * max|actual - expected| <= tol * max(1, max|expected|): relative to the output's
 * magnitude, since summation order differs between the backends.
 */
export function assertClose(actual: HostTensor, expected: HostTensor, tol: number, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  let maxDiff = 0;
  let maxAbs = 0;
  let at = -1;
  for (let i = 0; i < expected.values.length; i++) {
    const d = Math.abs(actual.values[i] - expected.values[i]);
    if (!(d <= maxDiff)) {
      maxDiff = d;
      at = i;
    }
    maxAbs = Math.max(maxAbs, Math.abs(expected.values[i]));
  }
  const bound = tol * Math.max(1, maxAbs);
  assert.ok(
    maxDiff <= bound,
    `${what}: max abs diff ${maxDiff} at ${at} (got ${actual.values[at]}, want ${expected.values[at]}) > ${bound}`,
  );
}

/** Compares wasm with cpu for one kernel call, with native kernels on and then off. */
export function compareKernel(
  kernelName: string,
  inputs: Record<string, HostTensor>,
  attrs: object,
  tol: number,
  what: string,
): void {
  const want = runCpu(kernelName, inputs, attrs);
  for (const native of [true, false]) {
    setNativeKernelsEnabled(native);
    try {
      assertClose(runWasm(kernelName, inputs, attrs), want, tol, `${what} native=${native}`);
    } finally {
      setNativeKernelsEnabled(true);
    }
  }
}

/** Random padding attr: 'valid', 'same' or explicit NHWC [[0,0],[t,b],[l,r],[0,0]]. */
export function randomPad(
  r: () => number,
  maxPad: number,
): 'valid' | 'same' | [[0, 0], [number, number], [number, number], [0, 0]] {
  const kind = pick(r, ['valid', 'same', 'explicit'] as const);
  if (kind !== 'explicit') return kind;
  return [
    [0, 0],
    [int(r, 0, maxPad), int(r, 0, maxPad)],
    [int(r, 0, maxPad), int(r, 0, maxPad)],
    [0, 0],
  ];
}
