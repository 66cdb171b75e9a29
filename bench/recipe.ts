// Which training recipe to make the default, measured on real images in one process: the
// generator's candidates for a Fashion-MNIST subset trained under recipe variants for a fixed
// number of epochs (so the figures do not depend on the machine's load), scored on a balanced
// subset of the official test set. The validation part is carved from the training images as
// Percept does (1 in 9). bench:quality measures the whole product; this isolates the recipe.
//   --per-class N (500)  --epochs E (20)  --test-per-class N (200)  --rgb64 (re-encode as 64×64 RGB)
//   --candidates K (1)   --variants a,b,…  (names below)
//   --layers "c32,b,p,c64,b,p,d.25,f,h128;…"  networks of one's own instead of the generator's, one per
//     ';': cN conv 3×3 (N filters), b batch norm, p max pool 2, dX dropout X, f flatten, g global
//     average pooling, hN dense N with dropout 0.5; the softmax layer is added.
//   --replica  each batch split with a gradient replica on the second core, as a run's leader trains
//   --tta  also score each network on the mirrored test images, and on the mean of both views
//   --weight-decay X  decoupled weight decay on every variant (Recipe.weightDecay; the default recipe has none)
// The last line is one JSON object.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import * as tf from '../server/ml/tf';
import { DEFAULT_AUGMENTATION, type Augmentation } from '../server/ml/augment';
import { initBackend } from '../server/ml/backend';
import { buildModel } from '../server/ml/build';
import { InMemoryImageDataset, stratifiedSplit } from '../server/ml/dataset';
import { evaluate } from '../server/ml/evaluate';
import { generateCandidates } from '../server/ml/generate';
import {
  architectureId,
  countCost,
  type Architecture,
  type InputShape,
  type LayerSpec,
} from '../server/ml/architecture';
import { GradientReplica } from '../server/ml/replica';
import { train, type TrainOptions } from '../server/ml/train';
import { balancedSubset, loadFashionMnist, type IdxSet } from './support/fashion-mnist';

const log = (line: string) => process.stderr.write(line + '\n');

type Variant = (epochs: number) => Partial<TrainOptions>;
const schedule = (epochs: number) => ({ schedule: { epochs } });
const VARIANTS: Record<string, Variant> = {
  constant: () => ({}),
  cosine: (e) => ({ ...schedule(e) }),
  'cosine-2e3': (e) => ({ ...schedule(e), learningRate: 2e-3 }),
  'cosine+aug': (e) => ({ ...schedule(e), augment: DEFAULT_AUGMENTATION }),
  'cosine+shift': (e) => ({ ...schedule(e), augment: { shift: 0.1, rotate: 0, scale: 0, flip: false } }),
  'cosine+aug+ls': (e) => ({ ...schedule(e), augment: DEFAULT_AUGMENTATION, labelSmoothing: 0.1 }),
  'cosine+aug+ls+wd': (e) => ({
    ...schedule(e),
    augment: DEFAULT_AUGMENTATION,
    labelSmoothing: 0.1,
    weightDecay: 0.05,
  }),
  'cosine+aug+flip': (e) => ({ ...schedule(e), augment: { ...DEFAULT_AUGMENTATION, flip: true } as Augmentation }),
  'cosine+ls': (e) => ({ ...schedule(e), labelSmoothing: 0.1 }),
  'cosine+ls-2e3': (e) => ({ ...schedule(e), labelSmoothing: 0.1, learningRate: 2e-3 }),
  'cosine+ls-3e3': (e) => ({ ...schedule(e), labelSmoothing: 0.1, learningRate: 3e-3 }),
  // The default recipe with whole-pixel shifts: what the second candidate of a run trains with (recipe.ts planCandidates).
  'cosine+ls-2e3+shift': (e) => ({
    ...schedule(e),
    labelSmoothing: 0.1,
    learningRate: 2e-3,
    augment: { ...DEFAULT_AUGMENTATION, flip: false },
  }),
  // The default recipe with mirrored images only (no shifts): clothes, shoes and bags are mostly symmetric.
  'cosine+ls-2e3+flip': (e) => ({
    ...schedule(e),
    labelSmoothing: 0.1,
    learningRate: 2e-3,
    augment: { shift: 0, rotate: 0, scale: 0, flip: true },
  }),
};

async function images(set: IdxSet, idx: number[], rgb64: boolean): Promise<Uint8Array> {
  const side = rgb64 ? 64 : 28;
  const channels = rgb64 ? 3 : 1;
  const out = new Uint8Array(idx.length * side * side * channels);
  for (const [k, i] of idx.entries()) {
    const raw = set.images.subarray(i * 784, (i + 1) * 784);
    if (!rgb64) out.set(raw, k * 784);
    else {
      const jpeg = await sharp(Buffer.from(raw), { raw: { width: 28, height: 28, channels: 1 } })
        .resize(64, 64)
        .toColourspace('srgb')
        .jpeg({ quality: 90 })
        .toBuffer();
      const px = await sharp(jpeg).removeAlpha().toColourspace('srgb').raw().toBuffer();
      out.set(px, k * side * side * channels);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'per-class': { type: 'string' },
      epochs: { type: 'string' },
      'test-per-class': { type: 'string' },
      rgb64: { type: 'boolean' },
      candidates: { type: 'string' },
      variants: { type: 'string' },
      batch: { type: 'string' },
      seeds: { type: 'string' },
      ensemble: { type: 'boolean' },
      layers: { type: 'string' },
      save: { type: 'string' },
      replica: { type: 'boolean' },
      'weight-decay': { type: 'string' },
      tta: { type: 'boolean' },
    },
  });
  const perClass = Number(values['per-class'] ?? 500);
  const epochs = Number(values.epochs ?? 20);
  const rgb64 = values.rgb64 ?? false;
  const names = (values.variants ?? 'constant,cosine,cosine+aug,cosine+aug+ls').split(',');
  const backend = await initBackend();
  const data = loadFashionMnist();
  const trainIdx = balancedSubset(data.train, perClass);
  const testIdx = balancedSubset(data.test, Number(values['test-per-class'] ?? 200));
  const shape: [number, number, number] = rgb64 ? [64, 64, 3] : [28, 28, 1];
  const all = new InMemoryImageDataset(shape, await images(data.train, trainIdx, rgb64), [
    ...trainIdx.map((i) => data.train.labels[i]!),
  ]);
  const split = stratifiedSplit(await all.labels(), { validation: 1 / 9, test: 0 }, 7);
  const trainSet = all.subset(split.train);
  const validation = all.subset(split.validation);
  const testPixels = await images(data.test, testIdx, rgb64);
  const testLabels = [...testIdx.map((i) => data.test.labels[i]!)];
  const testSet = new InMemoryImageDataset(shape, testPixels, testLabels);
  const mirroredTest = values.tta ? new InMemoryImageDataset(shape, mirrored(testPixels, shape), testLabels) : null;
  const archs = values.layers
    ? values.layers.split(';').map((spec) => ownNetwork(spec, shape, 10))
    : generateCandidates({
        inputShape: shape,
        classes: 10,
        count: Number(values.candidates ?? 1),
        trainImages: trainSet.size,
      });
  const batchSize = Number(values.batch ?? Math.min(64, Math.max(8, 2 ** Math.round(Math.log2(trainSet.size / 30)))));
  log(
    `${backend.backend}: ${trainSet.size} train, ${validation.size} validation, ${testSet.size} test; batch ${batchSize}`,
  );
  const rows: Array<Record<string, unknown>> = [];
  // --ensemble: every trained network's probabilities on validation and test, to score averages.
  const kept: Array<{ name: string; val: tf.Tensor2D; test: tf.Tensor2D; valAcc: number }> = [];
  const seeds = (values.seeds ?? '1').split(',').map(Number);
  for (const arch of archs) {
    for (const name of names)
      for (const seed of seeds) {
        const variant = VARIANTS[name.replace(/\+refit$/, '')];
        if (!variant) throw new Error(`unknown variant ${name}; known: ${Object.keys(VARIANTS).join(', ')}`);
        const model = buildModel(arch, { seed });
        const started = performance.now();
        // "+refit": the same training on the training and validation images together (no validation left).
        const refit = name.endsWith('+refit');
        const data = refit ? all.subset([...split.train, ...split.validation]) : trainSet;
        const replica = values.replica
          ? await GradientReplica.start({ architecture: arch, seed, backend: backend.backend })
          : undefined;
        const r = await train(model, data, {
          epochs,
          batchSize,
          seed: seed + 2,
          validation,
          replica,
          onEpoch: (m) =>
            void log(
              `  epoch ${m.epoch}: ${Math.round(m.seconds)} s, train ${round(m.accuracy)}, val ${round(m.valAccuracy ?? 0)}`,
            ),
          ...variant(epochs),
          ...(values['weight-decay'] ? { weightDecay: Number(values['weight-decay']) } : {}),
        }).finally(() => replica?.dispose());
        const seconds = (performance.now() - started) / 1000;
        const test = await evaluate(model, testSet);
        const tta = mirroredTest ? await mirroredScores(model, testSet, mirroredTest) : {};
        const last = r.history.at(-1)!;
        const row = {
          network: arch.name,
          variant: name,
          epochs: r.epochs,
          test: round(test.accuracy),
          ...tta,
          lastVal: round(last.valAccuracy ?? 0),
          bestVal: round(r.bestValAccuracy ?? 0),
          bestEpoch: r.bestEpoch,
          // Where validation loss bottomed out: a patience on it would have stopped this many epochs later.
          bestLossEpoch: r.history.reduce((b, h) => ((h.valLoss ?? Infinity) < (b.valLoss ?? Infinity) ? h : b)).epoch,
          trainAcc: round(last.accuracy),
          seconds: Math.round(seconds),
        };
        rows.push(row);
        log(JSON.stringify(row));
        if (values.ensemble || values.save) {
          kept.push({
            name: `${arch.name}/${name}/${seed}`,
            val: await probabilities(model, validation),
            test: await probabilities(model, testSet),
            valAcc: last.valAccuracy ?? 0,
          });
        }
        model.dispose();
        tf.disposeVariables();
      }
  }
  // --save FILE: the kept probabilities and labels as JSON, to score ensembles across processes
  // (bench/ensemble.ts) — networks trained side by side, one core each.
  if (values.save) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      values.save,
      JSON.stringify({
        valLabels: [...(await validation.labels())],
        testLabels: [...(await testSet.labels())],
        members: await Promise.all(
          kept.map(async (m) => ({
            name: m.name,
            valAcc: m.valAcc,
            val: await m.val.array(),
            test: await m.test.array(),
          })),
        ),
      }),
    );
  }
  const ensembles: Array<Record<string, unknown>> = [];
  if (kept.length > 1) {
    const testLabels = await testSet.labels();
    const valLabels = await validation.labels();
    const byVal = [...kept].sort((a, b) => b.valAcc - a.valAcc);
    for (let k = 2; k <= kept.length; k++) {
      const members = byVal.slice(0, k);
      const score = (pick: (m: (typeof kept)[number]) => tf.Tensor2D, labels: Int32Array) =>
        tf.tidy(() => {
          const mean = tf.div(tf.addN(members.map(pick)), k);
          return accuracyOf(mean as tf.Tensor2D, labels);
        });
      const row = {
        members: members.map((m) => m.name),
        val: round(score((m) => m.val, valLabels)),
        test: round(score((m) => m.test, testLabels)),
      };
      ensembles.push(row);
      log(JSON.stringify(row));
    }
  }
  console.log(JSON.stringify({ bench: 'recipe', perClass, epochs, rgb64, rows, ensembles }));
}

/** A network from the compact notation of --layers. */
function ownNetwork(spec: string, inputShape: InputShape, classes: number): Architecture {
  const layers: LayerSpec[] = [];
  let headStart = -1;
  for (const token of spec.split(',')) {
    const n = Number(token.slice(1));
    if (token[0] === 'c') layers.push({ kind: 'conv2d', filters: n, kernelSize: 3, strides: 1, activation: 'relu' });
    else if (token === 'b') layers.push({ kind: 'batchNorm' });
    else if (token === 'p') layers.push({ kind: 'maxPool', poolSize: 2, strides: 2 });
    else if (token[0] === 'd') layers.push({ kind: 'dropout', rate: n });
    else if (token === 'f') layers.push({ kind: 'flatten' });
    else if (token === 'g') layers.push({ kind: 'globalAveragePooling' });
    else if (token[0] === 'h') {
      if (headStart < 0) headStart = layers.length;
      layers.push({ kind: 'dense', units: n, activation: 'relu' }, { kind: 'dropout', rate: 0.5 });
    } else throw new Error(`unknown layer ${token} in --layers`);
  }
  if (headStart < 0) headStart = layers.length;
  layers.push({ kind: 'dense', units: classes, activation: 'softmax' });
  const { params, macs } = countCost(inputShape, layers);
  const id = architectureId('cnn', inputShape, classes, layers);
  const name = `${spec} (${(macs / 1e6).toFixed(1)}M MACs, ${Math.round(params / 1e3)}k params)`;
  return { id, family: 'cnn', name, inputShape, classes, expandable: false, layers, headStart, params, macs };
}

async function probabilities(model: tf.LayersModel, set: InMemoryImageDataset): Promise<tf.Tensor2D> {
  const parts: tf.Tensor2D[] = [];
  for await (const b of set.batches({ batchSize: 256 })) {
    parts.push(model.predict(b.xs) as tf.Tensor2D);
    b.xs.dispose();
    b.labels.dispose();
  }
  const all = tf.concat(parts);
  tf.dispose(parts);
  return all;
}

/** Each image mirrored left-right (rows of `shape`, channels interleaved). */
function mirrored(pixels: Uint8Array, [h, w, c]: [number, number, number]): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let base = 0; base < pixels.length; base += h * w * c)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) out[base + (y * w + x) * c + k] = pixels[base + (y * w + (w - 1 - x)) * c + k]!;
  return out;
}

/** Test accuracy on the mirrored images alone and on the mean of the two views' probabilities. */
async function mirroredScores(
  model: tf.LayersModel,
  plain: InMemoryImageDataset,
  flipped: InMemoryImageDataset,
): Promise<{ testMirrored: number; testBothViews: number }> {
  const labels = await plain.labels();
  const a = await probabilities(model, plain);
  const b = await probabilities(model, flipped);
  const both = tf.tidy(() => tf.div(tf.add(a, b), 2) as tf.Tensor2D);
  const scores = { testMirrored: round(accuracyOf(b, labels)), testBothViews: round(accuracyOf(both, labels)) };
  tf.dispose([a, b, both]);
  return scores;
}

function accuracyOf(probs: tf.Tensor2D, labels: Int32Array): number {
  const predicted = probs.argMax(-1).dataSync();
  let correct = 0;
  labels.forEach((l, i) => (correct += predicted[i] === l ? 1 : 0));
  return correct / labels.length;
}

const round = (x: number) => Math.round(x * 10000) / 10000;

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
