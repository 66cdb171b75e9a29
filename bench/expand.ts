// Adding classes to an expandable model against training from scratch, on Fashion-MNIST through
// the public API. An expandable model learns 7 classes; the other 3 are uploaded and a head is
// trained for them on the frozen base (with a none-aware copy of the first head). In the same run
// a plain model is trained from scratch on all 10 with the same budget. Both are scored with
// classifyBatch on the same held-out test images. Durations are the tasks' own (startedAt →
// finishedAt): TRAIN_MODEL for the trainings (split included), EXPAND_MODEL for the head.
// Env: BENCH_PER_CLASS (1000 training images per class), BENCH_TEST_PER_CLASS (200),
//      BENCH_EPOCHS (6), BENCH_CANDIDATES (2: one per local runner), BENCH_TARGET (0.8: the expansion's activation bar).
// The last line is one JSON object; speedup is scratch training time / head training time.
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ZipWriter as JSZip } from '../tests/support/zip-writer';
import sharp from 'sharp';
import { gqlUpload } from '../tests/support/graphql';
import { BenchUser, log, round } from './support/client';
import { balancedSubset, FASHION_CLASSES, FASHION_DIR, loadFashionMnist, type IdxSet } from './support/fashion-mnist';
import { startBenchServer } from './support/server';

const PER_CLASS = Number(process.env.BENCH_PER_CLASS ?? 1000);
const TEST_PER_CLASS = Number(process.env.BENCH_TEST_PER_CLASS ?? 200);
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 6);
const CANDIDATES = Number(process.env.BENCH_CANDIDATES ?? 2);
const TARGET = Number(process.env.BENCH_TARGET ?? 0.8);
const FIRST = [0, 1, 2, 3, 4, 5, 6];
const ADDED = [7, 8, 9];

/** Installs nothing itself: says how when Debian's dataset-fashion-mnist is missing. */
function ensureDataset(): void {
  if (existsSync(join(FASHION_DIR, 'train-images-idx3-ubyte.gz'))) return;
  log(`Fashion-MNIST is missing from ${FASHION_DIR}. Install it with: sudo apt-get install dataset-fashion-mnist`);
  process.exit(1);
}

async function png(set: IdxSet, i: number): Promise<Buffer> {
  return sharp(Buffer.from(set.images.subarray(i * 784, (i + 1) * 784)), {
    raw: { width: 28, height: 28, channels: 1 },
  })
    .png()
    .toBuffer();
}

/** Class folders under train/ and test/, so the held-out images are the test split. */
async function labelledZip(
  data: ReturnType<typeof loadFashionMnist>,
  train: number[],
  test: number[],
  classes: number[],
): Promise<Buffer> {
  const zip = new JSZip();
  for (const [set, idx, folder] of [
    [data.train, train, 'train'],
    [data.test, test, 'test'],
  ] as const) {
    for (const i of idx) {
      if (classes.includes(set.labels[i]!))
        zip.file(`fashion/${folder}/${FASHION_CLASSES[set.labels[i]!]}/${folder[1]}${i}.png`, await png(set, i));
    }
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

const seconds = (t: { startedAt: string; finishedAt: string }) =>
  (Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 1000;

async function train(user: BenchUser, modelId: string, what: string): Promise<number> {
  const { trainModel } = await user.call(
    'mutation($m: ID!, $i: TrainModelInput) { trainModel(modelId: $m, input: $i) { id } }',
    // One round of all epochs: no early promotion, so both trainings do the same work per image.
    { m: modelId, i: { candidates: CANDIDATES, maxEpochs: EPOCHS, roundEpochs: EPOCHS } },
  );
  let last = '';
  const task = await user.waitForTask(trainModel.id, (t) => {
    const line = `${what}: ${t.status} ${JSON.stringify(t.progress ?? {})}`;
    if (line !== last) log((last = line));
  });
  return seconds(task);
}

/** Top-1 accuracy of classifyBatch over the test images, overall and on some classes. */
async function score(user: BenchUser, modelId: string, zip: Buffer, labels: Map<string, number>) {
  const res = await gqlUpload(
    user.graphqlUrl,
    'mutation($m: ID!, $a: Upload!) { classifyBatch(modelId: $m, archive: $a, topK: 1) { id } }',
    { m: modelId, a: null },
    { a: { data: zip, filename: 'test.zip', type: 'application/zip' } },
    user.token,
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  const task = await user.waitForTask(res.data.classifyBatch.id);
  const results = task.result.results as { name: string; predictions?: { className: string }[] }[];
  const on = (classes: number[]) => {
    const mine = results.filter((r) => classes.includes(labels.get(r.name)!));
    const right = mine.filter((r) => r.predictions?.[0]?.className === FASHION_CLASSES[labels.get(r.name)!]);
    return right.length / Math.max(1, mine.length);
  };
  return { all: on([...FIRST, ...ADDED]), first: on(FIRST), added: on(ADDED) };
}

async function main(): Promise<void> {
  ensureDataset();
  const data = loadFashionMnist();
  const trainIdx = balancedSubset(data.train, PER_CLASS);
  const testIdx = balancedSubset(data.test, TEST_PER_CLASS);
  log(
    `Fashion-MNIST: ${trainIdx.length} training and ${testIdx.length} test images; ${EPOCHS} epochs, ${CANDIDATES} candidate(s)`,
  );
  const firstZip = await labelledZip(data, trainIdx, testIdx, FIRST);
  const addedZip = await labelledZip(data, trainIdx, testIdx, ADDED);
  const batch = new JSZip();
  const labels = new Map<string, number>();
  for (const i of testIdx) {
    batch.file(`${i}.png`, await png(data.test, i));
    labels.set(`${i}.png`, data.test.labels[i]!);
  }
  const testZip = await batch.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });

  const server = await startBenchServer({ PERCEPT_MAX_ZIP_ENTRIES: '200000' });
  try {
    const user = await BenchUser.signUp(server.graphqlUrl);
    const sample = await png(data.train, 0);

    // The expandable model: 7 classes, then the other 3.
    const expandableId = await createExpandable(user, sample);
    await user.importZip(expandableId, firstZip);
    const firstTrainSeconds = await train(user, expandableId, 'first training (7 classes)');
    const heads = await user.call('query($m: ID!) { heads(modelId: $m) { status } }', { m: expandableId });
    if (!heads.heads.some((h: { status: string }) => h.status === 'ACTIVE')) throw new Error('the model was not split');
    await user.importZip(expandableId, addedZip);
    const run = (await user.call('query($m: ID!) { expansionRun(modelId: $m) { task { id } } }', { m: expandableId }))
      .expansionRun;
    if (!run) throw new Error('the import of new classes did not start head training');
    let last = '';
    const expansion = await user.waitForTask(run.task.id, (t) => {
      const line = `head training (3 classes): ${t.status} ${JSON.stringify(t.progress ?? {})}`;
      if (line !== last) log((last = line));
    });
    const headTrainSeconds = seconds(expansion);
    const outcome = expansion.result as Record<string, any>;
    log(
      `expansion: activated ${outcome.activated}${outcome.reason ? ` (${outcome.reason})` : ''}, timings ${JSON.stringify(outcome.timings)}`,
    );

    // The baseline: a plain model trained on all 10 from scratch, same epochs and candidates.
    const scratchId = await createPlain(user, sample);
    await user.importZip(scratchId, firstZip);
    await user.importZip(scratchId, addedZip);
    const scratchTrainSeconds = await train(user, scratchId, 'scratch training (10 classes)');

    const expanded = await score(user, expandableId, testZip, labels);
    const scratch = await score(user, scratchId, testZip, labels);
    log(
      `first training ${round(firstTrainSeconds)} s, head training ${round(headTrainSeconds)} s ` +
        `(ratio ${round(headTrainSeconds / firstTrainSeconds, 3)}), scratch training ${round(scratchTrainSeconds)} s`,
    );
    log(
      `test accuracy, all 10: expanded ${round(expanded.all, 4)} (7 first ${round(expanded.first, 4)}, 3 added ${round(expanded.added, 4)}), ` +
        `scratch ${round(scratch.all, 4)} (7 first ${round(scratch.first, 4)}, 3 added ${round(scratch.added, 4)})`,
    );
    console.log(
      JSON.stringify({
        bench: 'expand',
        firstTrainSeconds: round(firstTrainSeconds),
        headTrainSeconds: round(headTrainSeconds),
        scratchTrainSeconds: round(scratchTrainSeconds),
        speedup: round(scratchTrainSeconds / headTrainSeconds, 2),
        ratioHeadToFirst: round(headTrainSeconds / firstTrainSeconds, 3),
        accuracyExpanded: round(expanded.all, 4),
        accuracyScratch: round(scratch.all, 4),
        activated: Boolean(outcome.activated),
        trainImagesPerClass: PER_CLASS,
        testImages: testIdx.length,
        epochs: EPOCHS,
        candidates: CANDIDATES,
      }),
    );
  } finally {
    await server.stop();
  }
}

async function createExpandable(user: BenchUser, sample: Buffer): Promise<string> {
  const res = await gqlUpload(
    user.graphqlUrl,
    'mutation($i: CreateModelInput!) { createModel(input: $i) { id } }',
    { i: { name: 'Fashion-MNIST, expandable', sampleImage: null, expandable: true, targetAccuracy: TARGET } },
    { 'i.sampleImage': { data: sample, filename: 'sample.png', type: 'image/png' } },
    user.token,
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.createModel.id;
}

async function createPlain(user: BenchUser, sample: Buffer): Promise<string> {
  const id = await user.createModel('Fashion-MNIST, from scratch', sample);
  await user.call('mutation($m: ID!, $t: Float!) { updateModel(id: $m, input: { targetAccuracy: $t }) { id } }', {
    m: id,
    t: TARGET,
  });
  return id;
}

void main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
