// The worker thread of a GradientReplica (replica.ts): builds the network, then for each step
// loads the weights it is sent and returns the gradients of its share of the batch.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from './tf';
import { initBackend } from './backend';
import { buildModel } from './build';
import type { ReplicaInit, ReplicaResult, ReplicaStep } from './replica';
import { countCorrect, crossEntropy, outputClasses } from './train';

async function main(): Promise<void> {
  const init = workerData as ReplicaInit;
  await initBackend(init.backend);
  const model = buildModel(init.architecture, { seed: init.seed });
  const classes = outputClasses(model);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const dropouts = model.layers.filter((l) => l.getClassName() === 'Dropout');
  const port = parentPort!;

  const step = (s: ReplicaStep): ReplicaResult => {
    model.weights.forEach((w, i) => {
      const t = tf.tensor(s.weights[i]!, w.shape as number[]);
      w.write(t);
      t.dispose();
    });
    dropouts.forEach((layer, i) => {
      (layer as unknown as { seed: number }).seed = s.dropoutSeeds[i]!;
    });
    const x = tf.tensor(s.xs, [s.count, ...(model.inputs[0]!.shape.slice(1) as number[])]);
    const y = tf.tensor1d(s.labels, 'int32');
    let correct: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const probs = model.apply(x, { training: true }) as tf.Tensor;
      correct = tf.keep(countCorrect(probs, y));
      return crossEntropy(probs, y, classes, s.labelSmoothing);
    }, variables);
    try {
      return {
        grads: variables.map((v) => grads[v.name]!.dataSync() as Float32Array).map((a) => a.slice()),
        loss: value.dataSync()[0]!,
        correct: correct!.dataSync()[0]!,
      };
    } finally {
      tf.dispose([x, y, value, correct!, ...Object.values(grads)]);
    }
  };

  port.on('message', (s: ReplicaStep) => {
    try {
      const result = step(s);
      port.postMessage(
        { result },
        result.grads.map((g) => g.buffer as ArrayBuffer),
      );
    } catch (err) {
      port.postMessage({ error: (err as Error).message });
    }
  });
  port.postMessage({ ready: true });
}

main().catch((err: unknown) => {
  parentPort!.postMessage({ error: (err as Error).message });
});
