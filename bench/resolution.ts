// Accuracy against input size on photo-like images (issue 21, part 5): is a network at the sample's
// full size (up to 256 px) worth its cost on a CPU, or does a smaller input win accuracy per minute?
// The images are random crops of real photographs and textures bundled with scikit-image
// (python3-skimage; nothing downloaded): one class per source image, each crop a random quarter to
// half of the photo's short side at a random place, randomly mirrored, with its brightness,
// saturation and hue jittered so that colour alone does not name the class, saved as a 192×192 JPEG.
// For each input side the same JPEGs are scaled down (sharp), the generator's best-sized network
// for that input is built, and trained with the default recipe for the same number of epochs in
// this one process; test accuracy on crops never trained on, and seconds per epoch.
//   --sides 48,64,96,128,192  --epochs 15  --train-per-class 40  --test-per-class 40  --seed 1
// Ratios are against the largest side, measured in the same run. The last line is one JSON object.
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../server/ml/backend';
import { buildModel } from '../server/ml/build';
import { InMemoryImageDataset } from '../server/ml/dataset';
import { evaluate } from '../server/ml/evaluate';
import { generateCandidates } from '../server/ml/generate';
import { seededRandom } from '../server/ml/random';
import { DEFAULT_RECIPE } from '../server/ml/recipe';
import { train } from '../server/ml/train';
import { batchSizeFor } from '../server/training/train-model.handler';

const log = (line: string) => process.stderr.write(line + '\n');
const SOURCE_SIDE = 192;
// Colour photographs and grey textures of scikit-image's bundled data.
const SOURCES = [
  'astronaut.png',
  'coffee.png',
  'chelsea.png',
  'rocket.jpg',
  'motorcycle_left.png',
  'hubble_deep_field.jpg',
  'retina.jpg',
  'ihc.png',
  'brick.png',
  'grass.png',
  'gravel.png',
];

function dataDir(): string {
  for (const python of [process.env.BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p)) {
    const run = spawnSync(python, ['-c', 'import skimage.data as d; print(d.data_dir)'], { encoding: 'utf8' });
    if (run.status === 0) return run.stdout.trim();
  }
  throw new Error('scikit-image not found: sudo apt-get install python3-skimage (or set BENCH_PYTHON)');
}

async function crops(dir: string, perClass: number, seed: number): Promise<{ files: Buffer[]; labels: number[] }> {
  const rand = seededRandom(seed);
  const files: Buffer[] = [];
  const labels: number[] = [];
  for (const [label, name] of SOURCES.entries()) {
    const source = sharp(path.join(dir, name)).removeAlpha().toColourspace('srgb');
    const { width, height } = await source.metadata();
    const img = await source.raw().toBuffer({ resolveWithObject: true });
    for (let n = 0; n < perClass; n++) {
      const side = Math.round(Math.min(width!, height!) * (0.25 + 0.25 * rand()));
      const left = Math.floor(rand() * (width! - side));
      const top = Math.floor(rand() * (height! - side));
      let crop = sharp(img.data, { raw: img.info })
        .extract({ left, top, width: side, height: side })
        .resize(SOURCE_SIDE, SOURCE_SIDE)
        .modulate({ brightness: 0.7 + 0.6 * rand(), saturation: 0.5 + rand(), hue: Math.floor(rand() * 360) });
      if (rand() < 0.5) crop = crop.flop();
      files.push(await crop.jpeg({ quality: 90 }).toBuffer());
      labels.push(label);
    }
  }
  return { files, labels };
}

async function pixels(files: Buffer[], side: number): Promise<Uint8Array> {
  const out = new Uint8Array(files.length * side * side * 3);
  for (const [i, f] of files.entries()) {
    const px = await sharp(f).resize(side, side).removeAlpha().toColourspace('srgb').raw().toBuffer();
    out.set(px, i * side * side * 3);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sides: { type: 'string' },
      epochs: { type: 'string' },
      'train-per-class': { type: 'string' },
      'test-per-class': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const sides = (values.sides ?? '48,64,96,128,192').split(',').map(Number);
  const epochs = Number(values.epochs ?? 15);
  const seed = Number(values.seed ?? 1);
  const backend = await initBackend();
  const dir = dataDir();
  const trainSet = await crops(dir, Number(values['train-per-class'] ?? 40), seed);
  const testSet = await crops(dir, Number(values['test-per-class'] ?? 40), seed + 1000);
  const classes = SOURCES.length;
  log(
    `${backend.backend}: ${trainSet.labels.length} training and ${testSet.labels.length} test crops, ${classes} classes`,
  );
  const rows: Array<{ side: number; network: string; test: number; secondsPerEpoch: number; trainAcc: number }> = [];
  for (const side of sides) {
    const shape: [number, number, number] = [side, side, 3];
    const [arch] = generateCandidates({ inputShape: shape, classes });
    const data = new InMemoryImageDataset(shape, await pixels(trainSet.files, side), trainSet.labels);
    const test = new InMemoryImageDataset(shape, await pixels(testSet.files, side), testSet.labels);
    const model = buildModel(arch!, { seed });
    const r = await train(model, data, {
      epochs,
      batchSize: batchSizeFor(data.size),
      seed: seed + 2,
      learningRate: DEFAULT_RECIPE.learningRate,
      schedule: { epochs, warmupEpochs: DEFAULT_RECIPE.warmupEpochs },
      labelSmoothing: DEFAULT_RECIPE.labelSmoothing,
      weightDecay: DEFAULT_RECIPE.weightDecay,
    });
    const scored = await evaluate(model, test);
    const seconds = r.history.reduce((s, h) => s + h.seconds, 0) / r.history.length;
    const row = {
      side,
      network: arch!.name,
      test: round(scored.accuracy),
      secondsPerEpoch: round(seconds),
      trainAcc: round(r.history.at(-1)!.accuracy),
    };
    rows.push(row);
    log(JSON.stringify(row));
    model.dispose();
    tf.disposeVariables();
  }
  const largest = rows.reduce((a, b) => (b.side > a.side ? b : a));
  const table = rows.map((r) => ({
    ...r,
    timeRatio: round(r.secondsPerEpoch / largest.secondsPerEpoch),
    accuracyGap: round(largest.test - r.test),
  }));
  for (const r of table)
    console.log(
      `${String(r.side).padStart(4)} px  test ${r.test.toFixed(3)}  ${r.secondsPerEpoch.toFixed(1)} s/epoch ` +
        `(${r.timeRatio.toFixed(2)}× the ${largest.side} px time)  ${r.network}`,
    );
  console.log(JSON.stringify({ bench: 'resolution', epochs, classes, rows: table }));
}

const round = (x: number) => Math.round(x * 10000) / 10000;

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
