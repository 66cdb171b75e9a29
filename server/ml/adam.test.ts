import assert from 'node:assert/strict';
import { before, test, type TestContext } from 'node:test';
import * as tf from './tf';
import { LeanAdam } from './adam';
import { maxAbsDiff, useTrainingBackend } from './testing';

let skip: string | null = null;
before(async () => {
  skip = await useTrainingBackend('wasm');
});

test('LeanAdam on wasm takes the same steps as tfjs Adam, and keeps state tfjs Adam can resume from', async (t: TestContext) => {
  if (skip) return t.skip(skip);
  const shapes = [[3, 3, 2, 8], [8], [50, 10]];
  const make = (seed: number) => shapes.map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', seed + i)));
  const lean = make(1);
  const stock = make(1);
  const a = new LeanAdam(0.01);
  const b = tf.train.adam(0.01);
  const before = tf.memory().numTensors;
  for (let step = 0; step < 6; step++) {
    const grads = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 100 * step + i));
    a.applyGradients(lean.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
    b.applyGradients(stock.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
    tf.dispose(grads);
  }
  // Each optimizer makes two moments per variable on its first step; nothing else may be left behind.
  assert.equal(tf.memory().numTensors, before + 2 * 2 * shapes.length);
  for (let i = 0; i < shapes.length; i++) {
    const diff = maxAbsDiff(lean[i]!.dataSync(), stock[i]!.dataSync());
    assert.ok(diff < 1e-5, `variable ${i} differs by ${diff}`);
  }
  const [leanState, stockState] = [await a.getWeights(), await b.getWeights()];
  assert.equal(leanState.length, stockState.length);
  assert.equal(leanState[0]!.tensor.dataSync()[0], 6, 'iterations');
  for (let i = 1; i < leanState.length; i++) {
    assert.equal(leanState[i]!.name.replace(/^.*\//, ''), stockState[i]!.name.replace(/^.*\//, ''));
    assert.ok(maxAbsDiff(leanState[i]!.tensor.dataSync(), stockState[i]!.tensor.dataSync()) < 1e-5, `state ${i}`);
  }
  // A checkpoint of LeanAdam's state restores into tfjs Adam (and the reverse): one more step agrees.
  const resumed = tf.train.adam(0.01);
  await resumed.setWeights(leanState.map((w) => ({ name: w.name, tensor: w.tensor.clone() })));
  const grads = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 999 + i));
  a.applyGradients(lean.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
  resumed.applyGradients(stock.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
  for (let i = 0; i < shapes.length; i++) {
    const diff = maxAbsDiff(lean[i]!.dataSync(), stock[i]!.dataSync());
    assert.ok(diff < 1e-5, `after the resumed step, variable ${i} differs by ${diff}`);
  }
  tf.dispose([...grads, ...lean, ...stock]);
  for (const o of [a, b, resumed]) o.dispose();
});
