// server/ml/tf registers what the umbrella @tensorflow/tfjs would: every gradient and every chained
// tensor method tfjs-core ships (read from tfjs-core's own files, so an upgrade that adds one fails
// here until the bundle has it), into the one engine, without loading the umbrella.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import * as tf from './tf';

const CORE = join(dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist');

test('every gradient tfjs-core defines is registered', () => {
  const kernels = readdirSync(join(CORE, 'gradients'))
    .filter((f) => f.endsWith('_grad.js'))
    .map((f) => f.slice(0, -'_grad.js'.length));
  assert.ok(kernels.length >= 100, `${kernels.length} gradient files`);
  assert.deepEqual(
    kernels.filter((k) => tf.getGradient(k) === undefined),
    [],
  );
  // The bare CommonJS build of tfjs-core, which this module loads first, has none of them.
  assert.ok(['Conv2D', 'FusedBatchNorm', 'MaxPool', 'Softmax', 'BatchMatMul'].every((k) => tf.getGradient(k)));
});

test('every chained tensor method tfjs-core defines is on tf.Tensor', () => {
  const dir = join(CORE, 'public', 'chained_ops');
  const methods = readdirSync(dir)
    .filter((f) => f.endsWith('.js') && !f.endsWith('_test.js') && f !== 'register_all_chained_ops.js')
    .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/prototype\.(\w+)\s*=/g)].map((m) => m[1]!));
  assert.ok(methods.length >= 130, `${methods.length} chained methods`);
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  assert.deepEqual(
    methods.filter((m) => typeof Object.getOwnPropertyDescriptor(proto, m)?.value !== 'function'),
    [],
  );
});

test('one engine: the bundled op code computes on the backend set here, gradients included', async () => {
  await tf.setBackend('cpu');
  const x = tf.variable(tf.tensor2d([1, -2, 3, 0.5], [2, 2]));
  const grad = tf.grad((v: tf.Tensor) => v.square().mul(3).sum())(x);
  assert.ok(grad instanceof tf.Tensor);
  assert.deepEqual(Array.from(grad.dataSync()), [6, -12, 18, 3]);
  tf.dispose([x, grad]);
});

test('the umbrella @tensorflow/tfjs is not loaded', () => {
  const umbrella = Object.keys(require.cache).filter((p) => /[/\\]@tensorflow[/\\]tfjs[/\\]/.test(p));
  assert.deepEqual(umbrella, []);
});
