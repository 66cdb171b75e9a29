// Where an epoch's time goes beyond the bare training step: the generator's 28x28x1 network on
// Fashion-MNIST images, trained by server/ml/train.ts as a runner trains a candidate, against the
// same steps on the same batches with nothing around them. Scratch profile for issue 13.
import * as tf from '@tensorflow/tfjs';
import { generateCandidates } from '../server/ml/generate';
import { buildModel } from '../server/ml/build';
import { crossEntropy, train } from '../server/ml/train';
import { InMemoryImageDataset, disposeBatch } from '../server/ml/dataset';
import { registerWasmTrainingKernels } from '../server/ml/kernels/index';
import { balancedSubset, gatherImages, loadFashionMnist } from './support/fashion-mnist';
import '@tensorflow/tfjs-backend-wasm';

const PER_CLASS = Number(process.env.BENCH_PER_CLASS ?? 300);
const BATCH = Number(process.env.BENCH_BATCH ?? 64);

async function main() {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
  const { train: set } = loadFashionMnist();
  const idx = balancedSubset(set, PER_CLASS);
  const { pixels, labels } = gatherImages(set, idx);
  const data = new InMemoryImageDataset([28, 28, 1], pixels, labels);
  const n = data.size;
  const val = data.subset(Array.from({ length: Math.floor(n / 9) }, (_, i) => i * 9));
  const arch = generateCandidates({ inputShape: [28, 28, 1], classes: 10, count: 1 })[0]!;
  const results: Record<string, number> = {};

  // Bare: minimize over the dataset's own batches (assembly included), no progress, no sync per batch beyond loss.
  for (let round = 0; round < 2; round++) {
    {
      const model = buildModel(arch, { seed: 1 });
      const opt = tf.train.adam(1e-3);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const t0 = performance.now();
      for await (const b of data.batches({ batchSize: BATCH, shuffleSeed: 1, epoch: 0 })) {
        const loss = opt.minimize(() => crossEntropy(model.apply(b.xs, { training: true }) as tf.Tensor, b.labels, 10), true, vars)!;
        await loss.data();
        loss.dispose();
        disposeBatch(b);
      }
      results[`bare${round}`] = n / ((performance.now() - t0) / 1000);
      model.dispose();
      opt.dispose();
    }
    {
      const model = buildModel(arch, { seed: 1 });
      const t0 = performance.now();
      await train(model, data, {
        epochs: 1,
        batchSize: BATCH,
        seed: 1,
        labelSmoothing: 0.1,
        schedule: { epochs: 10, warmupEpochs: 1 },
        patience: 8,
        monitor: 'either',
        onBatch: () => {},
      });
      results[`train${round}`] = n / ((performance.now() - t0) / 1000);
      const t1 = performance.now();
      await train(model, data, {
        epochs: 2,
        batchSize: BATCH,
        seed: 1,
        labelSmoothing: 0.1,
        schedule: { epochs: 10, warmupEpochs: 1 },
        patience: 8,
        monitor: 'either',
        validation: val,
        onBatch: () => {},
      });
      results[`trainVal${round}`] = (n + val.size) / ((performance.now() - t1) / 1000);
      model.dispose();
    }
  }
  console.log(JSON.stringify({ bench: 'epoch', images: n, batch: BATCH, imagesPerSec: results }));
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
