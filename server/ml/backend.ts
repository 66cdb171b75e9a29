// Picks the fastest TensorFlow.js backend this machine can run, once, at runner start.
// tfjs-node(-gpu) are optional dependencies that only install where libtensorflow can be
// downloaded, so they are required lazily and their absence is normal.
import * as path from 'node:path';
import * as tf from './tf';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './kernels/index';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  backend: BackendName;
  /** For people: "GPU (CUDA)", "CPU (libtensorflow)", "CPU (wasm SIMD)", "CPU (js)". */
  device: string;
  /** The npm package that provides the backend. */
  package: string;
  simd?: boolean;
  threads?: number;
}

const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/**
 * Activates a backend and returns what was chosen. Best first: tfjs-node-gpu, tfjs-node, wasm,
 * cpu. `forced` (or env PERCEPT_TF_BACKEND) names one backend; if it cannot load, this throws
 * instead of silently running somewhere slower. Safe to call again to switch (tests do).
 */
export async function initBackend(
  forced: string | undefined = process.env.PERCEPT_TF_BACKEND || undefined,
): Promise<BackendInfo> {
  if (forced !== undefined && !BACKEND_NAMES.includes(forced as BackendName)) {
    throw new Error(`PERCEPT_TF_BACKEND must be one of ${BACKEND_NAMES.join(', ')}, got "${forced}"`);
  }
  const order = forced ? [forced as BackendName] : BACKEND_NAMES;
  const failures: string[] = [];
  for (const name of order) {
    try {
      return await activate(name);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
    }
  }
  const what = forced
    ? `backend "${forced}" (PERCEPT_TF_BACKEND) could not be loaded`
    : 'no TensorFlow.js backend could be loaded';
  throw new Error(`${what}: ${failures.join('; ')}`);
}

async function activate(name: BackendName): Promise<BackendInfo> {
  switch (name) {
    case 'tensorflow':
      return activateNode();
    case 'wasm':
      return activateWasm();
    case 'cpu':
      await setBackend('cpu');
      return { backend: 'cpu', device: 'CPU (js)', package: '@tensorflow/tfjs-backend-cpu' };
  }
}

function activateNode(): Promise<BackendInfo> {
  const tried: string[] = [];
  for (const [pkg, device] of [
    ['@tensorflow/tfjs-node-gpu', 'GPU (CUDA)'],
    ['@tensorflow/tfjs-node', 'CPU (libtensorflow)'],
  ] as const) {
    try {
      // Requiring the package registers the 'tensorflow' backend with the shared tfjs engine; a
      // static import would make the optional package mandatory.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(pkg);
    } catch (err) {
      tried.push(`${pkg} not available (${firstLine(err)})`);
      continue;
    }
    return setBackend('tensorflow').then(() => ({ backend: 'tensorflow' as const, device, package: pkg }));
  }
  return Promise.reject(new Error(tried.join('; ')));
}

let wasmPathsSet = false;

async function activateWasm(): Promise<BackendInfo> {
  if (!wasmPathsSet) {
    // Load the .wasm binaries from node_modules: without this the backend would fetch them.
    const dist =
      path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setWasmPaths(dist);
    wasmPathsSet = true;
  }
  registerWasmTrainingKernels();
  await setBackend('wasm');
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const threaded = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
  return {
    backend: 'wasm',
    device: `CPU (wasm${simd ? ' SIMD' : ''})`,
    package: '@tensorflow/tfjs-backend-wasm',
    simd,
    threads: threaded ? wasm.getThreadsCount() : 1,
  };
}

async function setBackend(name: string): Promise<void> {
  // setBackend resolves false (rather than throwing) when the backend fails to initialise.
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

/**
 * Whether the active backend can compute the gradients training needs (conv, relu, pooling,
 * batch norm, dense). Stock 'wasm' cannot until Percept's kernels are registered; tests use this
 * to skip rather than fail there. `separable` adds the depthwise convolution that separable
 * networks need. Returns null when training works, else the reason.
 */
export function trainingUnsupportedReason(options: { separable?: boolean } = {}): string | null {
  try {
    tf.tidy(() => {
      const x = tf.randomUniform([2, 6, 6, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
      const filter = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
      const depthwise = tf.randomNormal([3, 3, 4, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
      const pointwise = tf.randomNormal([1, 1, 4, 4], 0, 1, 'float32', 4) as tf.Tensor4D;
      const weights = tf.randomNormal([36, 3], 0, 1, 'float32', 5) as tf.Tensor2D;
      const loss = (f: tf.Tensor4D, w: tf.Tensor2D, dw: tf.Tensor4D, pw: tf.Tensor4D) => {
        let conv = tf.relu(tf.conv2d(x, f, 1, 'same'));
        if (options.separable) conv = tf.separableConv2d(conv, dw, pw, 1, 'same');
        const { mean, variance } = tf.moments(conv, [0, 1, 2]);
        const normed = tf.batchNorm(conv, mean, variance, tf.zeros([4]), tf.ones([4]), 1e-3) as tf.Tensor4D;
        const pooled = tf.maxPool(normed, 2, 2, 'same');
        return tf.softmax(tf.matMul(tf.reshape(pooled, [2, 36]), w)).mean() as tf.Scalar;
      };
      const variables = options.separable ? [filter, weights, depthwise, pointwise] : [filter, weights];
      const grads = tf.grads((...v: tf.Tensor[]) =>
        loss(
          v[0] as tf.Tensor4D,
          v[1] as tf.Tensor2D,
          (v[2] ?? depthwise) as tf.Tensor4D,
          (v[3] ?? pointwise) as tf.Tensor4D,
        ),
      )(variables);
      for (const g of grads) g.dataSync();
    });
    return null;
  } catch (err) {
    return `backend '${tf.getBackend()}' cannot train: ${firstLine(err)}`;
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!;
}
