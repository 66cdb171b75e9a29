import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import * as tf from './tf';
import { initBackend, trainingUnsupportedReason } from './backend';

const installed = (pkg: string) => {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
};
const hasNode = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');
const savedEnv = process.env.PERCEPT_TF_BACKEND;

describe('initBackend', () => {
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.PERCEPT_TF_BACKEND;
    else process.env.PERCEPT_TF_BACKEND = savedEnv;
  });

  test('picks the best available backend: tensorflow if installed, else wasm with its kernels', async () => {
    delete process.env.PERCEPT_TF_BACKEND;
    const info = await initBackend();
    assert.equal(tf.getBackend(), info.backend);
    if (hasNode) {
      assert.equal(info.backend, 'tensorflow');
    } else {
      assert.equal(info.backend, 'wasm');
      assert.equal(info.package, '@tensorflow/tfjs-backend-wasm');
      assert.equal(info.device, info.simd ? 'CPU (wasm SIMD)' : 'CPU (wasm)');
      assert.ok(info.threads! >= 1);
      // The .wasm binaries came from node_modules (no network here) and training works on it.
      assert.equal(trainingUnsupportedReason(), null);
    }
  });

  test('PERCEPT_TF_BACKEND forces a backend', async () => {
    process.env.PERCEPT_TF_BACKEND = 'cpu';
    assert.deepEqual(await initBackend(), {
      backend: 'cpu',
      device: 'CPU (js)',
      package: '@tensorflow/tfjs-backend-cpu',
    });
    assert.equal(tf.getBackend(), 'cpu');
    assert.equal((await initBackend('wasm')).backend, 'wasm', 'an explicit argument wins over the environment');
  });

  test(
    'a forced backend that cannot load fails clearly instead of falling back',
    { skip: hasNode && 'tfjs-node is installed here' },
    async () => {
      await assert.rejects(
        initBackend('tensorflow'),
        /backend "tensorflow" \(PERCEPT_TF_BACKEND\) could not be loaded: .*tfjs-node-gpu.*tfjs-node/,
      );
      await assert.rejects(initBackend('gpu'), /must be one of tensorflow, wasm, cpu, got "gpu"/);
    },
  );
});
