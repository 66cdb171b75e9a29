import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import * as tf from './tf';
import { layerShapes, type Architecture } from './architecture';
import { buildModel } from './build';
import { InMemoryImageDataset } from './dataset';
import { generateCandidates } from './generate';
import { gridArchitectures, maxAbsDiff, useTrainingBackend } from './testing';
import { train } from './train';

const archs = gridArchitectures();

/** One Adam step on two images; asserts it changed the first layer's weights. */
async function trainOneStep(arch: Architecture): Promise<void> {
  const model = buildModel(arch, { seed: 1 });
  try {
    const [h, w, c] = arch.inputShape;
    const pixels = Uint8Array.from({ length: 2 * h * w * c }, (_, i) => (i * 37) % 256);
    const data = new InMemoryImageDataset(arch.inputShape, pixels, [0, arch.classes - 1]);
    const firstWeights = () => model.trainableWeights[0]!.read().dataSync().slice();
    const before = firstWeights();
    const result = await train(model, data, { epochs: 1, batchSize: 2, seed: 1 });
    assert.equal(result.stopReason, 'completed');
    assert.ok(Number.isFinite(result.history[0]!.loss), `${arch.id}: loss ${result.history[0]!.loss}`);
    assert.notDeepEqual(firstWeights(), before, `${arch.id}: a step must change the weights`);
  } finally {
    model.dispose();
  }
}

describe('buildModel', () => {
  test(`builds all ${archs.length} generated architectures as estimated`, async () => {
    await useTrainingBackend('cpu');
    for (const arch of archs) {
      const model = buildModel(arch, { seed: 1 });
      try {
        assert.equal(model.countParams(), arch.params, `${arch.id}: params`);
        const shapes = layerShapes(arch.inputShape, arch.layers);
        model.layers.forEach((layer, i) => {
          assert.deepEqual(
            (layer.outputShape as number[]).slice(1),
            shapes[i],
            `${arch.id}: layer ${i} (${arch.layers[i]!.kind})`,
          );
        });
        assert.deepEqual(model.outputs[0]!.shape, [null, arch.classes]);
      } finally {
        model.dispose();
      }
    }
  });

  test('the seed fixes the initial weights', async () => {
    await useTrainingBackend('cpu');
    const arch = archs.find((a) => a.family === 'cnn' && a.inputShape[0] === 28)!;
    const weights = (seed: number) => {
      const model = buildModel(arch, { seed });
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    assert.deepEqual(weights(5), weights(5));
    assert.notDeepEqual(weights(5), weights(6));
  });

  // cpu's Conv2DBackpropFilter runs at about 10M multiply-adds per second: one step of every
  // grid architecture took 536 s there, against 6 s on wasm with Percept's kernels. So wasm trains
  // them all, cpu the cheap ones plus the cheapest of each family.
  test(`every generated architecture trains one step on wasm (batch 2)`, async (t: TestContext) => {
    const reason = await useTrainingBackend('wasm', { separable: true });
    if (reason) return t.skip(reason);
    for (const arch of archs) await trainOneStep(arch);
  });

  test('cheap architectures and the cheapest of each family train one step on cpu (batch 2)', async () => {
    await useTrainingBackend('cpu');
    const chosen = new Set(archs.filter((a) => a.macs <= 1_000_000));
    for (const family of ['dense', 'cnn', 'separable'] as const) {
      const cheapest = archs.filter((a) => a.family === family).sort((a, b) => a.macs - b.macs)[0];
      assert.ok(cheapest, `the grid has ${family} networks`);
      chosen.add(cheapest);
    }
    const withBatchNorm = archs
      .filter((a) => a.family === 'cnn' && a.layers.some((l) => l.kind === 'batchNorm'))
      .sort((a, b) => a.macs - b.macs)[0]!;
    chosen.add(withBatchNorm);
    for (const arch of chosen) await trainOneStep(arch);
  });

  test('a greyscale layer averages the channels, trains not, and survives a save and load', async () => {
    await useTrainingBackend('cpu');
    const arch = generateCandidates({ inputShape: [12, 12, 3], classes: 3, greyContent: true })[0]!;
    const model = buildModel(arch, { seed: 1 });
    try {
      const pixels = Float32Array.from({ length: 2 * 12 * 12 * 3 }, (_, i) => (i * 37) % 256);
      const x = tf.tensor4d(pixels, [2, 12, 12, 3]);
      const mean = x.mean(3, true);
      const grey = model.layers[0]!.apply(x) as tf.Tensor;
      assert.ok(maxAbsDiff(grey.dataSync(), mean.dataSync()) < 1e-3, 'the mean of the three channels');
      tf.dispose([x, mean, grey]);
      assert.equal(model.trainableWeights.length, model.weights.length - 1, 'its kernel is not trained');
      const saved = await new Promise<tf.io.ModelArtifacts>(
        (resolve) =>
          void model.save(tf.io.withSaveHandler(async (a) => (resolve(a), { modelArtifactsInfo: {} as never }))),
      );
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved));
      const input = tf.randomUniform([1, 12, 12, 3], 0, 255, 'float32', 3);
      const [a, b] = [model, loaded].map((m) => m.predict(input) as tf.Tensor);
      assert.ok(maxAbsDiff(a!.dataSync(), b!.dataSync()) < 1e-6, 'the loaded model answers alike');
      assert.equal(loaded.trainableWeights.length, model.trainableWeights.length);
      tf.dispose([input, a!, b!]);
      loaded.dispose();
    } finally {
      model.dispose();
    }
  });

  test('leaves no tensors behind', async () => {
    await useTrainingBackend('cpu');
    const before = tf.memory().numTensors;
    const model = buildModel(archs[0]!, { seed: 1 });
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
