// End-to-end: real training on wasm with Percept's kernels. Every layer kind the generator
// uses (conv, separable conv, max/avg pooling, batch norm, dropout, global average pooling,
// dense) must train with no missing kernel, no leaked tensor and no leaked wasm buffer,
// the loss must fall on a learnable task, and the gradients of a network mixing those ops
// must match the cpu backend's (max abs diff <= 1e-3 x max(1, max |cpu grad|) per variable:
// float32 through a dozen layers in different summation orders).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '../tf';
import { rng, setNativeKernelsEnabled, setupWasm } from './test_util';

before(setupWasm);

const L = tf.layers;

function numDataIds(): number {
  return (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
}

/** Images whose class is the brightest of four quadrants: learnable in a few epochs. */
function quadrantData(n: number, size: number, channels: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const r = rng(seed);
  const x = new Float32Array(n * size * size * channels);
  const labels = new Int32Array(n);
  const half = size / 2;
  for (let i = 0; i < n; i++) {
    const cls = Math.floor(r() * 4);
    labels[i] = cls;
    for (let h = 0; h < size; h++) {
      for (let w = 0; w < size; w++) {
        const q = (h < half ? 0 : 2) + (w < half ? 0 : 1);
        for (let c = 0; c < channels; c++) {
          x[((i * size + h) * size + w) * channels + c] = r() * 0.5 + (q === cls ? 0.5 : 0);
        }
      }
    }
  }
  return { x: tf.tensor4d(x, [n, size, size, channels]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 4) as tf.Tensor2D };
}

const models: Record<string, () => tf.LayersModel> = {
  cnn: () =>
    tf.sequential({
      layers: [
        L.conv2d({ inputShape: [16, 16, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
        L.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
        L.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        L.dropout({ rate: 0.25 }),
        L.flatten(),
        L.dense({ units: 16, activation: 'relu' }),
        L.dropout({ rate: 0.5 }),
        L.dense({ units: 4, activation: 'softmax' }),
      ],
    }),
  // (global average pooling would erase the quadrant this task is about; 'separable' has it)
  batchNormAvgPool: () =>
    tf.sequential({
      layers: [
        L.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'valid' }),
        L.batchNormalization(),
        L.activation({ activation: 'relu' }),
        L.averagePooling2d({ poolSize: 2 }),
        L.conv2d({ filters: 8, kernelSize: 1, activation: 'relu6' }),
        L.flatten(),
        L.dense({ units: 4, activation: 'softmax' }),
      ],
    }),
  separable: () =>
    tf.sequential({
      layers: [
        L.separableConv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
        L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu' }),
        L.separableConv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        L.batchNormalization(),
        L.globalAveragePooling2d({}),
        L.dense({ units: 4, activation: 'softmax' }),
      ],
    }),
};

for (const [name, make] of Object.entries(models)) {
  test(`${name}: trains on wasm without leaks and the loss falls`, async () => {
    const model = make();
    const channels = model.inputs[0]!.shape[3]!;
    const { x, y } = quadrantData(96, 16, channels, 11);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const first = await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 });
    const tensors = tf.memory().numTensors;
    const buffers = numDataIds();
    const rest = await model.fit(x, y, { epochs: 6, batchSize: 16, verbose: 0 });
    assert.equal(tf.memory().numTensors, tensors, 'tensors leaked while training');
    assert.equal(numDataIds(), buffers, 'wasm buffers leaked while training');
    const start = first.history.loss[0] as number;
    const end = rest.history.loss.at(-1) as number;
    assert.ok(end < 0.7 * start, `loss did not fall enough: ${start} -> ${end}`);
    model.dispose();
    tf.dispose([x, y]);
  });
}

/** A loss touching conv, separable conv, batch norm, max/avg pool, dense and softmax. */
function mixedLoss(x: tf.Tensor4D, labels: tf.Tensor2D, v: tf.Tensor[]): tf.Scalar {
  const [f1, dw, pw, w, b] = v as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor2D, tf.Tensor1D];
  let h: tf.Tensor4D = tf.relu(tf.conv2d(x, f1, [2, 1], 'same'));
  h = tf.maxPool(h, 2, 2, 'same');
  h = tf.separableConv2d(h, dw, pw, 1, 'valid');
  const { mean, variance } = tf.moments(h, [0, 1, 2]);
  const c = h.shape[3];
  h = tf.relu(tf.batchNorm(h, mean, variance, tf.fill([c], 0.1), tf.fill([c], 1.5), 1e-3)) as tf.Tensor4D;
  h = tf.avgPool(h, 2, 1, 'valid');
  const logits = tf.add(tf.matMul(tf.reshape(h, [x.shape[0], -1]), w), b);
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

test('gradients of a mixed network match the cpu backend', async () => {
  const r = rng(3);
  const shapes: number[][] = [[3, 3, 3, 6], [3, 3, 6, 2], [1, 1, 12, 8], [1 * 4 * 8, 4], [4]];
  const values = shapes.map((s) => Float32Array.from({ length: s.reduce((a, c) => a * c, 1) }, () => r() - 0.5));
  const xVals = Float32Array.from({ length: 5 * 14 * 14 * 3 }, () => r());
  const yVals = Float32Array.from({ length: 5 * 4 }, (_, i) => (i % 4 === i % 3 ? 1 : 0));
  const gradsOn = async (backend: string): Promise<Float32Array[]> => {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const x = tf.tensor4d(xVals, [5, 14, 14, 3]);
      const y = tf.tensor2d(yVals, [5, 4]);
      const vars = shapes.map((s, i) => tf.tensor(values[i]!, s));
      const grads = tf.grads((...v: tf.Tensor[]) => mixedLoss(x, y, v))(vars);
      return grads.map((g) => g.dataSync() as Float32Array);
    });
  };
  const want = await gradsOn('cpu');
  for (const native of [true, false]) {
    setNativeKernelsEnabled(native);
    const got = await gradsOn('wasm');
    setNativeKernelsEnabled(true);
    compareGrads(want, got, shapes, `native=${native}`);
  }
});

function compareGrads(want: Float32Array[], got: Float32Array[], shapes: number[][], what: string): void {
  want.forEach((w, i) => {
    let maxAbs = 0;
    let maxDiff = 0;
    for (let j = 0; j < w.length; j++) {
      maxAbs = Math.max(maxAbs, Math.abs(w[j]!));
      maxDiff = Math.max(maxDiff, Math.abs(w[j]! - got[i]![j]!));
    }
    assert.ok(
      maxDiff <= 1e-3 * Math.max(1, maxAbs),
      `${what} variable ${i} ${shapes[i]}: max diff ${maxDiff} (max |grad| ${maxAbs})`,
    );
  });
}
